package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/egdi/egdi/internal/serve"
)

type serveOptions struct {
	f    *factory
	addr string
	open bool
}

func newCmdServe(f *factory) *cobra.Command {
	o := &serveOptions{f: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a local dashboard over the database: map, ranking, unit pages, comparisons",
		Long: `Serve a dashboard over the database, read-only, on 127.0.0.1:8765: the map (the world,
or a tile grid of provinces) coloured by a node in a year, the ranking with filters
and downloads, each unit's history, components and rank interval, and units side by
side, in English and Chinese (?lang=zh). Every page's state is in its URL.

The database is opened read-only when a page needs data it has not read since the
file last changed, and closed again, so another egdi can write to it meanwhile (a
page asked for during the write says so and works again after it). No page makes a
request to anything but this server. Another address than loopback is taken only
with --addr, with a warning: the dashboard has no login.`,
		Example: `  egdi serve
  egdi serve --db provinces.duckdb --open
  egdi serve --addr 127.0.0.1:9000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return serveRun(cmd, o) },
	}
	cmd.Flags().StringVar(&o.addr, "addr", serve.DefaultAddr, "address to listen on (host:port)")
	cmd.Flags().BoolVar(&o.open, "open", false, "open the dashboard in the browser")
	return cmd
}

func serveRun(cmd *cobra.Command, o *serveOptions) error {
	s, err := serve.New(serve.Options{DB: o.f.db, Log: o.f.io.ErrOut})
	if err != nil {
		return err
	}
	if err := s.Warm(cmd.Context()); err != nil {
		return err
	}
	if !serve.Loopback(o.addr) {
		fmt.Fprintf(o.f.io.ErrOut, "warning: listening on %s, beyond this machine: anyone who can reach it can read the database\n", o.addr)
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("serve: %w (another --addr?)", err)
	}
	url := "http://" + l.Addr().String() + "/"
	fmt.Fprintf(o.f.io.Out, "egdi serve: %s on %s (Ctrl-C stops)\n", o.f.db, url)
	if o.open {
		openBrowser(url, o.f.io.ErrOut)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return serve.Serve(ctx, l, s)
}

func openBrowser(url string, errOut io.Writer) {
	name, args := "xdg-open", []string{url}
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	if err := exec.CommandContext(context.Background(), name, args...).Start(); err != nil {
		fmt.Fprintln(errOut, "could not open a browser:", err)
	}
}
