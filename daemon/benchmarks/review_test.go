package benchmarks

import (
	"context"
	"testing"
	"time"

	"github.com/tactful/tactful/protocol"
)

// BenchmarkReviewHeavy times guided review's reads on the large store
// (30,000 contacts, 300,000 events): each scans every contact in memory,
// and network_summary the last year of the history too. One op is one
// round trip over the socket.
func BenchmarkReviewHeavy(b *testing.B) {
	e := getEnv(b)
	for _, bm := range []struct {
		name, req, reply string
	}{
		{"review_queue_all_500", `{"type":"review_queue","id":"1","filter":{},"limit":500}`, protocol.TypeReviewQueueReply},
		{"review_queue_company", `{"type":"review_queue","id":"1","filter":{"company":"company 42"}}`, protocol.TypeReviewQueueReply},
		{"contact_get", `{"type":"contact_get","id":"1","slug":"` + Slug(4242) + `"}`, protocol.TypeContact},
		{"removal_plan_get", `{"type":"removal_plan_get","id":"1"}`, protocol.TypeRemovalPlan},
		{"network_summary", `{"type":"network_summary","id":"1"}`, protocol.TypeNetworkSummaryReply},
	} {
		b.Run(bm.name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			c, err := e.dialTactful(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			defer processCPU(b)()
			for b.Loop() {
				reply, err := roundTrip(ctx, c, []byte(bm.req))
				if err != nil {
					b.Fatal(err)
				}
				if !isType(reply, bm.reply) {
					b.Fatalf("%s answered %.200s", bm.name, reply)
				}
			}
		})
	}
}
