package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ShutdownGrace is how long in-flight requests may finish at shutdown (they
// are cancelled first, so it is rarely used up).
const ShutdownGrace = 5 * time.Second

// Listen opens a TCP listener on addr (use 127.0.0.1:0 in tests).
func (s *Sim) Listen(ctx context.Context, addr string) (net.Listener, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulate: cannot listen on %q: %w", addr, err)
	}
	return ln, nil
}

// Serve listens on addr and serves Handler until ctx is done, then shuts
// down gracefully. It returns nil after a shutdown caused by ctx.
func (s *Sim) Serve(ctx context.Context, addr string, logger *slog.Logger) error {
	ln, err := s.Listen(ctx, addr)
	if err != nil {
		return err
	}
	return s.ServeListener(ctx, ln, logger)
}

// ServeListener serves Handler on ln until ctx is done, like Serve. It closes ln.
func (s *Sim) ServeListener(ctx context.Context, ln net.Listener, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Requests get their own context, cancelled at shutdown so that delayed
	// and huge fault responses stop at once instead of holding shutdown up.
	reqCtx, cancelReqs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReqs()
	srv := &http.Server{
		Handler:           logged(s.Handler(), logger),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("simulated province listening", "address", ln.Addr().String(), "agencies", len(s.Agencies()), "fields", len(s.world.fields))

	select {
	case err := <-errc:
		return fmt.Errorf("simulate: %w", err)
	case <-ctx.Done():
	}
	cancelReqs()
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("simulated province: graceful shutdown timed out, closing connections", "err", err)
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("simulate: %w", err)
	}
	logger.Info("simulated province stopped")
	return nil
}
