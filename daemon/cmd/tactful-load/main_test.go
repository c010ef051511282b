package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tactful/tactful/daemon"
)

// TestLoad runs a small load against a real daemon: every request is
// answered and the report ends with the line scripts/bench.sh reads. It
// checks that the generator works, never how fast the daemon is.
func TestLoad(t *testing.T) {
	d, err := daemon.Start(daemon.Config{Home: t.TempDir(), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := d.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := Config{Addr: d.Addr(), Home: d.Home(), Clients: 3, Rate: 10, Duration: time.Second, Batch: 20, Timeout: 10 * time.Second}
	res, err := run(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.OK != 30 || res.Sent != 30 {
		t.Errorf("sent %d, answered %d, errors %v; want 30 answered and none", res.Sent, res.OK, res.ErrorKinds)
	}
	if res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
		t.Errorf("percentiles out of order: p50 %v, p99 %v, max %v", res.P50, res.P99, res.Max)
	}
	answered := 0
	for _, sec := range res.Seconds {
		answered += sec.Answered
		if sec.Answered > 0 && (sec.P50 <= 0 || sec.P99 < sec.P50 || sec.Max < sec.P99) {
			t.Errorf("a second's percentiles out of order: %+v", sec)
		}
	}
	if answered != res.OK {
		t.Errorf("the seconds hold %d answers of %d", answered, res.OK)
	}
	var out bytes.Buffer
	cfg.Series = true
	report(&out, cfg, res)
	if !strings.Contains(out.String(), "\nRESULT clients=3 rate=10 batch=20 duration=1s ") || !strings.Contains(out.String(), " errors=0 ") ||
		!strings.Contains(out.String(), "\nsecond  0 ") {
		t.Errorf("report:\n%s", out.String())
	}
}

// TestLoadWrongCode counts refused connections as errors rather than
// failing the run.
func TestLoadWrongCode(t *testing.T) {
	home := t.TempDir()
	d, err := daemon.Start(daemon.Config{Home: home, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d.Close(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := Config{Addr: d.Addr(), Clients: 2, Rate: 10, Duration: time.Second, Batch: 5, Timeout: 10 * time.Second}
	res := load(ctx, cfg, "wrong-code", Result{})
	if res.ErrorKinds["dial"] != 2 || res.OK != 0 {
		t.Errorf("answered %d, errors %v; want 2 dial errors", res.OK, res.ErrorKinds)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		ok   bool
	}{
		{"defaults", nil, true},
		{"all", []string{"-clients", "5", "-rate", "2", "-duration", "3s", "-batch", "10", "-addr", "localhost:1234", "-home", "/tmp/x"}, true},
		{"no clients", []string{"-clients", "0"}, false},
		{"endless", []string{"-duration", "1h"}, false},
		{"batch too large", []string{"-batch", "501"}, false},
		{"not loopback", []string{"-addr", "192.0.2.1:47291"}, false},
		{"argument", []string{"extra"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseFlags(tc.args)
			if (err == nil) != tc.ok {
				t.Fatalf("parseFlags(%q) = %+v, %v", tc.args, cfg, err)
			}
			if tc.name == "all" && (cfg.Addr != "127.0.0.1:1234" || cfg.Clients != 5 || cfg.Batch != 10) {
				t.Errorf("got %+v", cfg)
			}
		})
	}
}
