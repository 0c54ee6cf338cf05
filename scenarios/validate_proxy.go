package scenarios

// proxy checks an rds or aurora system's proxy block and fills its
// defaults (proxy.Defaults).
func (v *validator) proxy(px *RDSProxy) {
	const p = "system.proxy."
	if !v.has("system.proxy") {
		return
	}
	if !v.has(p + "enabled") {
		px.Enabled = true
	}
	v.dist(p+"latency", px.Latency)
	if v.has(p+"max_connections_percent") && (px.MaxConnectionsPercent < 1 || px.MaxConnectionsPercent > 100) {
		v.errorf(p+"max_connections_percent", "must be 1 to 100, got %d", px.MaxConnectionsPercent)
	}
	v.positiveIfSet(p+"borrow_timeout", px.BorrowTimeout)
	v.positiveIfSet(p+"monitor_interval", px.MonitorInterval)
	if v.has(p + "pinned") {
		v.share(p+"pinned", px.Pinned)
	}
	if a := v.s.System.Aurora; a != nil && px.Enabled && v.has("system.serverless.min_acu") && a.Serverless.MinACU == 0 {
		v.errorf("system.serverless.min_acu", "0 lets an idle instance pause, which RDS Proxy prevents (fact 4.8): give min_acu 0.5 or more, or leave the proxy out")
	}
}
