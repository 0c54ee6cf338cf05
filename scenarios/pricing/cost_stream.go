package pricing

import (
	"fmt"

	"dbsim/scenarios"
)

// streamCost adds a DynamoDB stream's consumer, if the table has one: its
// invocations per month at Lambda's request price (fact 7.28), its
// GB-seconds (billed milliseconds × memory) at the duration price (fact
// 7.29), and the stream's GetRecords calls, free when Lambda makes them
// (fact 7.27). Usage is the measured window's, scaled to a month.
func (p *Prices) streamCost(b *costBuilder, s *scenarios.Scenario, rep *scenarios.Replication) {
	if !s.Has("system.table.stream") {
		return
	}
	if rep == nil || rep.Stream == nil || rep.SimulatedSeconds <= 0 {
		b.unpriced(catRequests, "Lambda stream consumer", "priced from a run's invocations")
		return
	}
	st := rep.Stream
	perMonth := p.HoursPerMonth * 3600 / rep.SimulatedSeconds
	inv := float64(st.Invocations) * perMonth
	gbs := float64(st.BilledMS) / 1000 * float64(st.MemoryMB) / 1024 * perMonth
	b.unit(catRequests, "Lambda requests (stream consumer)", inv/1e6, "million invocations", p.Lambda.MillionRequests,
		inv/1e6*p.Lambda.MillionRequests.USD)
	b.unit(catRequests, fmt.Sprintf("Lambda duration (stream consumer, %d MB)", st.MemoryMB), gbs, "GB-seconds", p.Lambda.GBSecond,
		gbs*p.Lambda.GBSecond.USD)
	// At least one GetRecords call per invocation; free for Lambda.
	if price := p.DynamoDB.Streams100KReadUnits; price != (UnitPrice{}) {
		b.add(Item{Category: catRequests, What: "DynamoDB Streams reads (GetRecords by Lambda: free)", Quantity: inv / 1e5,
			Unit: "100,000 read request units (at least one per invocation)", UnitUSD: 0, USD: 0, Source: price.Citation.String(),
			Note: fmt.Sprintf("free when AWS Lambda reads the stream; other readers pay $%g per 100,000", price.USD)})
	}
}
