package gateway_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"
)

// The proxy mode's added latency on a small tile: the same GetMap (a
// 256×256 PNG of about 1 KiB, served from memory by a Go upstream so that
// the map server's own time does not drown the difference) requested
// directly and through the proxy, with the real Decider over the real
// portal deciding each request. Sequential requests over kept-alive
// connections; each benchmark reports its median (p50-ns) and 99th
// percentile (p99-ns) per request. The added latency is the difference of
// the medians:
//
//	go test ./internal/gateway -run '^$' -bench 'Tile' -benchtime 5000x -count 3
func BenchmarkTileDirect(b *testing.B) {
	up := tileUpstream(b)
	benchGet(b, up.URL+"/cgi-bin/mapserv?"+wmsGetMap+"roads")
}

func BenchmarkTileProxy(b *testing.B) {
	up := tileUpstream(b)
	w := newWorldAt(b, nil, up.URL+"/cgi-bin/mapserv")
	px := w.proxy(b)
	benchGet(b, px.URL+"/wms?"+wmsGetMap+"roads&apikey="+url.QueryEscape(w.key))
}

func tileUpstream(b *testing.B) *httptest.Server {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 256, 256))); err != nil {
		b.Fatal(err)
	}
	tile := buf.Bytes()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(tile)
	}))
	b.Cleanup(s.Close)
	return s
}

func benchGet(b *testing.B, u string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	do := func() {
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n == 0 {
			b.Fatalf("got %d (%d bytes), want 200 and a tile", resp.StatusCode, n)
		}
	}
	for range 50 {
		do() // warm up: connections, caches
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		do()
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
