"""The baseline of the page benchmarks: the least a Streamlit page with a figure can be (one metric,
one plotly chart), started and opened the same way as the dashboard."""

import plotly.graph_objects as go
import streamlit as st

st.metric("Hồ sơ tiếp nhận", "1.234")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])), key="chart")
