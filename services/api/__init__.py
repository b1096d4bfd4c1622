"""API: current scores and daily history for dashboards (read only), plus the operator CLI."""
