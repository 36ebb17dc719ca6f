package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// TestServeBrowser drives Debian's chromium through the dashboard as a reader would:
// the map for 2022 by OSI, a click on China, the ranking filtered to Africa, the switch
// to Chinese; no console error and no request to anything but the server. Screenshots
// go to bin/serve-screens/ (EGDI_GALLERY=1: the map also to reports/gallery/dashboard.png).
func TestServeBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("skipping: no browser at %s (apt-get install chromium)", chromium)
	}
	db := publishedDB(t)
	base := dashboard(t, db)
	screens := filepath.Join("..", "..", "bin", "serve-screens")
	if err := os.MkdirAll(screens, 0o755); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900), chromedp.Flag("no-first-run", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	var mu sync.Mutex
	var problems, requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, "console "+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				problems = append(problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			t.Logf("%5.2f s: %s", time.Since(start).Seconds(), name)
			if _, err := chromedp.Poll[chromedp.Void](`document.fonts.status === "loaded"`, chromedp.WithPollingTimeout(5*time.Second))(ctx, tg); err != nil {
				return err
			}
			b, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(screens, name), b, 0o644)
		})
	}
	// waitFor waits for a new page to hold; the pause lets chromedp take in its DOM
	// (a query at once may still see the old page's nodes)
	waitFor := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Poll[chromedp.Void](js+` && document.readyState === "complete"`, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Sleep(150*time.Millisecond))
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	// navigating runs steps that load another page and waits for it
	navigating := func(steps ...chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.RunResponse(ctx, steps...)
			return err
		})
	}
	text := func(sel string) string {
		s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// the map: 2022 by OSI, then a click on China
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(css("#map")),
		// choose in the form (without a change event, which submits it at once)
		chromedp.Evaluate[chromedp.Void](`document.querySelector('select[name="year"]').value = "2022"; document.querySelector('select[name="node"]').value = "osi"`),
		navigating(chromedp.Click(css(`form.controls button`))),
		waitFor(`location.search.includes("node=osi")`),
		chromedp.WaitVisible(css(`a[data-unit="CHN"] path`)),
		shot("map-2022-osi.png"),
		navigating(chromedp.Click(css(`a[data-unit="CHN"] path`))),
		waitFor(`location.pathname === "/unit/CHN"`),
		shot("unit-chn-osi.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	history, unitTitle := text("#history"), text("h1")
	// China's published OSI, 2016–2022 (egdi trend --units CHN --node osi)
	for _, v := range []string{"0.7681", "0.8611", "0.9059", "0.8876"} {
		if !strings.Contains(history, v) {
			t.Errorf("China's page lacks its published OSI %s:\n%s", v, history)
		}
	}
	if !strings.Contains(unitTitle, "China") || !strings.Contains(unitTitle, "Online Service Index") {
		t.Errorf("unit page title %q", unitTitle)
	}

	// the ranking, filtered to Africa in the form
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/ranking?year=2022"),
		chromedp.WaitVisible(css("#ranking")),
		// choosing a group submits the form (app.js)
		navigating(chromedp.Evaluate[chromedp.Void](`const s = document.querySelector('select[name="region"]'); s.value = "Africa"; s.dispatchEvent(new Event("change"))`)),
		waitFor(`location.search.includes("region=Africa")`),
	)
	if err != nil {
		t.Fatal(err)
	}
	rowsJS := `Array.from(document.querySelectorAll("#ranking tbody tr")).map(r => r.dataset.unit)`
	units, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rowsJS))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range jsonRows(t, mustRun(t, db, "rank", "--year", "2022", "--region", "Africa", "--format", "json")) {
		want = append(want, r["unit"].(string))
	}
	if !slices.Equal(units, want) {
		t.Errorf("ranking filtered to Africa: %d rows %v, egdi rank --region Africa: %d %v", len(units), units, len(want), want)
	}

	// sorting by a header: EGDI ascending puts Africa's lowest first
	if err := chromedp.Do(ctx, chromedp.Click(css(`#ranking thead th:nth-child(4)`))); err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#ranking tbody tr").dataset.unit`))
	if err != nil {
		t.Fatal(err)
	}
	if first != want[len(want)-1] {
		t.Errorf("sorted by EGDI ascending, the first row is %s, want %s", first, want[len(want)-1])
	}

	// Chinese
	err = chromedp.Do(ctx,
		navigating(chromedp.Click(css(`#lang-switch`))),
		waitFor(`document.documentElement.lang === "zh-Hans"`),
		shot("ranking-africa-zh.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	h1, nav := text("h1"), text("header nav")
	if !strings.Contains(h1, "排名") || !strings.Contains(nav, "地图") || !strings.Contains(nav, "比较") {
		t.Errorf("Chinese page: h1 %q, nav %q", h1, nav)
	}
	zhUnits, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rowsJS))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(zhUnits, want) {
		t.Errorf("the Chinese ranking kept %d rows, not the %d African ones", len(zhUnits), len(want))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=zh"), chromedp.WaitVisible(css("#map")), shot("map-zh.png"),
		chromedp.Navigate(base+"/compare?units=CHN,KOR,JPN&year=2022"), chromedp.WaitVisible(css("#comparison")), shot("compare.png")); err != nil {
		t.Fatal(err)
	}
	// the provincial sample: a tile grid in Chinese
	prov := dashboard(t, provincesDB(t))
	if err := chromedp.Do(ctx, chromedp.Navigate(prov+"/?lang=zh"), chromedp.WaitVisible(css("svg.tiles")), shot("provinces-zh.png")); err != nil {
		t.Fatal(err)
	}
	tiles, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.tiles rect").length`))
	if err != nil || tiles != 31 {
		t.Errorf("provincial tile grid: %d tiles (%v), want 31", tiles, err)
	}
	requestsOK := func(u string) bool {
		return strings.HasPrefix(u, base+"/") || strings.HasPrefix(u, prov+"/") || strings.HasPrefix(u, "data:")
	}
	if os.Getenv("EGDI_GALLERY") != "" {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(1200, 760), chromedp.Navigate(base+"/?year=2022"), chromedp.WaitVisible(css("#map")),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				b, err := chromedp.CaptureScreenshot()(ctx, tg)
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join("..", "..", "reports", "gallery", "dashboard.png"), b, 0o644)
			}))
		if err != nil {
			t.Fatal(err)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
	for _, u := range requests {
		if !requestsOK(u) {
			t.Errorf("a request to something other than the server: %s", u)
		}
	}
	if len(requests) < 8 {
		t.Errorf("only %d requests seen: is the network listener working?", len(requests))
	}
}
