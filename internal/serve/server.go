package serve

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/egdi/egdi/internal/panel"
	"github.com/egdi/egdi/internal/store"
	"github.com/egdi/egdi/internal/uncertainty"
)

// DefaultAddr is where the dashboard listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:8765"

// MaxQuery is the longest query string a page takes (414 beyond).
const MaxQuery = 2048

// Options configure a dashboard.
type Options struct {
	DB  string    // the database file, opened read-only
	Log io.Writer // request errors (nil: discarded)
}

// Server is the dashboard: an http.Handler over one database file.
type Server struct {
	path  string
	log   *log.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	geo   *geography

	mu    sync.Mutex
	stamp string
	cache *snapshot
}

// snapshot is what has been read from one state of the database file.
type snapshot struct {
	datasets []string                // computed datasets, in the order of their runs
	panels   map[string]*panel.Panel // by dataset ("": the default selection)
	runs     map[string]*uncertainty.Stored
}

// New makes a dashboard over the database at o.DB, which must exist.
func New(o Options) (*Server, error) {
	if _, err := os.Stat(o.DB); err != nil {
		return nil, fmt.Errorf("database %s does not exist yet: import data first (egdi import ...) or run egdi demo", o.DB)
	}
	w := o.Log
	if w == nil {
		w = io.Discard
	}
	s := &Server{path: o.DB, log: log.New(w, "egdi serve: ", log.LstdFlags)}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.geo, err = loadGeography(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// NewHTTPServer is an http.Server for h with timeouts that keep a slow or stuck
// client from holding the dashboard.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// Serve answers on l until ctx is done, then shuts down within five seconds.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	hs := NewHTTPServer(h)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// Loopback reports whether addr ("host:port") listens on the loopback interface only.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fileStamp changes whenever the database file or its write-ahead log does.
func (s *Server) fileStamp() string {
	var out string
	for _, p := range []string{s.path, s.path + ".wal"} {
		if fi, err := os.Stat(p); err == nil {
			out += fmt.Sprintf("%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		} else {
			out += "-;"
		}
	}
	return out
}

// errBusy says another process holds the database for writing.
var errBusy = errors.New("busy")

// withDB opens the database read-only for fn and closes it again, so that a writer
// can take it between reads.
func (s *Server) withDB(fn func(db *store.DB) error) error {
	db, err := store.Open(s.path, true)
	if err != nil {
		if errors.Is(err, store.ErrInUse) {
			return fmt.Errorf("%w: %v", errBusy, err)
		}
		return err
	}
	defer db.Close()
	return fn(db)
}

// snap is the current snapshot, read afresh when the file has changed; call with s.mu held.
func (s *Server) snap(ctx context.Context) (*snapshot, error) {
	st := s.fileStamp()
	if s.cache != nil && st == s.stamp {
		return s.cache, nil
	}
	sn := &snapshot{panels: map[string]*panel.Panel{}, runs: map[string]*uncertainty.Stored{}}
	err := s.withDB(func(db *store.DB) error {
		runs, err := panel.Runs(ctx, db)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Source == panel.Computed && !slices.Contains(sn.datasets, r.Dataset) {
				sn.datasets = append(sn.datasets, r.Dataset)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.cache, s.stamp = sn, st
	return sn, nil
}

// view is what a page reads: the panel of a dataset, and the datasets there are.
type view struct {
	datasets []string
	p        *panel.Panel
}

// panelOf reads (or finds read) the panel of dataset; an unknown dataset is a badRequest.
func (s *Server) panelOf(ctx context.Context, dataset string, lang string) (*view, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, err := s.snap(ctx)
	if err != nil {
		return nil, err
	}
	if dataset != "" && !slices.Contains(sn.datasets, dataset) {
		return nil, badf(lang, "unknown dataset %q; the database has %s", "未知数据集 %q；数据库中有 %s", dataset, listOr(sn.datasets, lang))
	}
	if p, ok := sn.panels[dataset]; ok {
		return &view{datasets: sn.datasets, p: p}, nil
	}
	var p *panel.Panel
	err = s.withDB(func(db *store.DB) error {
		sel, err := panel.Select(ctx, db, panel.Request{Dataset: dataset})
		if err != nil {
			return err
		}
		p, err = panel.Load(ctx, db, sel)
		return err
	})
	if err != nil {
		var nv *panel.NoValuesError
		if errors.As(err, &nv) {
			return nil, badf(lang, "%v", "%v", err)
		}
		return nil, err
	}
	sn.panels[dataset] = p
	return &view{datasets: sn.datasets, p: p}, nil
}

// storedRun is the latest uncertainty run of dataset and year, or nil when there is none.
func (s *Server) storedRun(ctx context.Context, dataset string, year int) (*uncertainty.Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, err := s.snap(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s/%d", dataset, year)
	if r, ok := sn.runs[key]; ok {
		return r, nil
	}
	var run *uncertainty.Stored
	err = s.withDB(func(db *store.DB) error {
		r, err := uncertainty.ReadRun(ctx, db, uncertainty.Which{Dataset: dataset, Year: year})
		if errors.Is(err, uncertainty.ErrNoRun) {
			return nil
		}
		run = r
		return err
	})
	if err != nil {
		return nil, err
	}
	sn.runs[key] = run
	return run, nil
}

// Warm reads the default panel ahead of the first page.
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.panelOf(ctx, "", "en")
	return err
}
