package policies

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/lindungi/lindungi"
)

// Source is where a process's policies come from: the units and the policy
// lines in force with their version (PostgreSQL in production).
type Source interface {
	Units(ctx context.Context) ([]lindungi.Unit, error)
	PolicyRules(ctx context.Context, model string) ([]lindungi.PolicyRule, error)
	PolicyVersion(ctx context.Context) (int64, error)
}

// Changes tells of policy changes made by any process until it is closed:
// the callback runs on every change (casbin's persist.Watcher does this).
type Changes interface {
	SetUpdateCallback(func(string)) error
	Close()
}

// Set is one process's policies: the Authorizer and the Router over the
// units, loaded from a Source and reloaded, while Run runs, whenever any
// process changes them. Decisions cached by the old policies go with them.
type Set struct {
	Units      []lindungi.Unit
	Authorizer *Authorizer
	Router     *Router

	src       Source
	subscribe func() (Changes, error)
	logger    *slog.Logger
}

// NewSet returns a Set of fixed rules, such as DefaultRules, that nothing
// reloads.
func NewSet(units []lindungi.Unit, rules []lindungi.PolicyRule, version string) (*Set, error) {
	s := &Set{Units: units}
	var err error
	if s.Authorizer, err = NewAuthorizer(units, rules, version); err != nil {
		return nil, err
	}
	if s.Router, err = NewRouter(units, rules, version); err != nil {
		return nil, err
	}
	return s, nil
}

// Load loads the policies of src; subscribe, when not nil, subscribes to
// their changes for Run.
func Load(ctx context.Context, src Source, subscribe func() (Changes, error), logger *slog.Logger) (*Set, error) {
	units, err := src.Units(ctx)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, errors.New("the database has no units: run `lindungi migrate` first")
	}
	rules, version, err := rulesOf(ctx, src)
	if err != nil {
		return nil, err
	}
	s, err := NewSet(units, rules, version)
	if err != nil {
		return nil, err
	}
	s.src, s.subscribe, s.logger = src, subscribe, logger
	return s, nil
}

// rulesOf reads every policy line of src and the version in force.
func rulesOf(ctx context.Context, src Source) ([]lindungi.PolicyRule, string, error) {
	var rules []lindungi.PolicyRule
	for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
		rs, err := src.PolicyRules(ctx, m)
		if err != nil {
			return nil, "", err
		}
		rules = append(rules, rs...)
	}
	v, err := src.PolicyVersion(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(rules) == 0 {
		return nil, "", errors.New("the database has no policies: run `lindungi migrate` first")
	}
	return rules, strconv.FormatInt(v, 10), nil
}

// Reload loads the policies again from the Source; decisions cached by the
// old ones go.
func (s *Set) Reload(ctx context.Context) error {
	if s.src == nil {
		return nil
	}
	rules, version, err := rulesOf(ctx, s.src)
	if err != nil {
		return err
	}
	if err := s.Authorizer.Load(rules, version); err != nil {
		return err
	}
	if err := s.Router.Load(rules, version); err != nil {
		return err
	}
	s.log().Info("policies loaded", "version", version, "lines", len(rules))
	return nil
}

// Run keeps the policies current until ctx ends: it subscribes to their
// changes, reloading on each, and reloads once at the start, since a change
// made between loading and subscribing would be missed otherwise. It
// returns an error only when it cannot subscribe or that first reload
// fails.
func (s *Set) Run(ctx context.Context) error {
	if s.subscribe == nil {
		<-ctx.Done()
		return nil
	}
	c, err := s.subscribe()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetUpdateCallback(func(payload string) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := s.Reload(rctx); err != nil {
			s.log().Error("policy reload", "notification", payload, "err", err)
		}
	}); err != nil {
		return err
	}
	if err := s.Reload(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func (s *Set) log() *slog.Logger {
	if s.logger == nil {
		return slog.Default()
	}
	return s.logger
}
