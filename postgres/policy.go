package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/jmoiron/sqlx"
	"github.com/lindungi/lindungi"
)

// PolicyChannel is the PostgreSQL notification channel of policy changes.
const PolicyChannel = "lindungi_policy"

type ruleRow struct {
	PType string `db:"ptype"`
	V0    string `db:"v0"`
	V1    string `db:"v1"`
	V2    string `db:"v2"`
	V3    string `db:"v3"`
	V4    string `db:"v4"`
	V5    string `db:"v5"`
	V6    string `db:"v6"`
	V7    string `db:"v7"`
}

func (r ruleRow) rule(m string) lindungi.PolicyRule {
	vs := []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5, r.V6, r.V7}
	for len(vs) > 0 && vs[len(vs)-1] == "" {
		vs = vs[:len(vs)-1]
	}
	return lindungi.PolicyRule{Model: m, PType: r.PType, Values: vs}
}

// values pads a rule's values to the eight columns.
var _ lindungi.PolicyService = (*DB)(nil)

func values(r lindungi.PolicyRule) ([8]string, error) {
	var v [8]string
	if len(r.Values) > len(v) {
		return v, lindungi.Errorf(lindungi.EINVALID, "A policy line has at most %d values.", len(v))
	}
	copy(v[:], r.Values)
	return v, nil
}

const selectRulesSQL = `SELECT ptype, v0, v1, v2, v3, v4, v5, v6, v7 FROM policy_rules WHERE model = $1 ORDER BY id`

// PolicyRules returns the policy lines of a model, in the order they were added.
func (db *DB) PolicyRules(ctx context.Context, m string) ([]lindungi.PolicyRule, error) {
	return policyRules(ctx, db.db, m)
}

func policyRules(ctx context.Context, q sqlx.QueryerContext, m string) ([]lindungi.PolicyRule, error) {
	var rows []ruleRow
	if err := sqlx.SelectContext(ctx, q, &rows, selectRulesSQL, m); err != nil {
		return nil, fmt.Errorf("policy rules: %w", translate(err))
	}
	rules := make([]lindungi.PolicyRule, len(rows))
	for i, r := range rows {
		rules[i] = r.rule(m)
	}
	return rules, nil
}

const insertRuleSQL = `
INSERT INTO policy_rules (model, ptype, v0, v1, v2, v3, v4, v5, v6, v7)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`

func insertRule(ctx context.Context, tx *sqlx.Tx, r lindungi.PolicyRule) error {
	v, err := values(r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, insertRuleSQL, r.Model, r.PType, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
	if lindungi.ErrorCode(translate(err)) == lindungi.ECONFLICT {
		return lindungi.Errorf(lindungi.ECONFLICT, "The policy line %q exists already.", r.String())
	}
	return translate(err)
}

const deleteRuleSQL = `
DELETE FROM policy_rules WHERE model = $1 AND ptype = $2
  AND v0 = $3 AND v1 = $4 AND v2 = $5 AND v3 = $6 AND v4 = $7 AND v5 = $8 AND v6 = $9 AND v7 = $10`

func deleteRule(ctx context.Context, tx *sqlx.Tx, r lindungi.PolicyRule) error {
	v, err := values(r)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, deleteRuleSQL, r.Model, r.PType, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return lindungi.Errorf(lindungi.ENOTFOUND, "The policy line %q does not exist.", r.String())
	}
	return nil
}

// SeedPolicies adds the shipped policy lines that were never loaded before,
// as one policy version. A line an administrator removed is not added again.
// It returns how many lines it added.
func (db *DB) SeedPolicies(ctx context.Context, shipped []lindungi.PolicyRule) (int, error) {
	added := 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE policy_rules IN EXCLUSIVE MODE`); err != nil {
			return translate(err)
		}
		var fresh []lindungi.PolicyRule
		for _, r := range shipped {
			res, err := tx.ExecContext(ctx, `INSERT INTO policy_seeds (model, line) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.Model, r.String())
			if err != nil {
				return translate(err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				fresh = append(fresh, r)
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		current := map[string]bool{}
		for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
			rules, err := policyRules(ctx, tx, m)
			if err != nil {
				return err
			}
			for _, r := range rules {
				current[m+"|"+r.String()] = true
			}
		}
		var inserted []lindungi.PolicyRule
		for _, r := range fresh {
			if current[r.Model+"|"+r.String()] {
				continue
			}
			if err := insertRule(ctx, tx, r); err != nil {
				return err
			}
			inserted = append(inserted, r)
		}
		added = len(inserted)
		if added == 0 {
			return nil
		}
		_, err := insertVersion(ctx, tx, lindungi.Event{Actor: "system:seed", ActorUnit: "ID", ActorRole: "system"},
			"policy lines shipped in policies/*.csv", inserted, nil, db.Now().UTC())
		return err
	})
	return added, err
}

func insertVersion(ctx context.Context, tx *sqlx.Tx, ev lindungi.Event, reason string, added, removed []lindungi.PolicyRule, now time.Time) (int64, error) {
	var version int64
	err := tx.GetContext(ctx, &version, `
INSERT INTO policy_versions (actor, actor_unit, reason, added, removed, created_at)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING version`,
		ev.Actor, ev.ActorUnit, reason, []byte(mustJSON(nonNil(added))), []byte(mustJSON(nonNil(removed))), now)
	if err != nil {
		return 0, fmt.Errorf("policy version: %w", translate(err))
	}
	ev.OccurredAt = now
	ev.Action = "policy.change"
	ev.SubjectType, ev.SubjectID = "policy", strconv.FormatInt(version, 10)
	ev.Policy = strconv.FormatInt(version, 10)
	ev.After = mustJSON(map[string]any{"version": version, "reason": reason, "added": nonNil(added), "removed": nonNil(removed)})
	if err := insertEvent(ctx, tx, ev); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, PolicyChannel, strconv.FormatInt(version, 10)); err != nil {
		return 0, translate(err)
	}
	return version, nil
}

func nonNil(rs []lindungi.PolicyRule) []lindungi.PolicyRule {
	if rs == nil {
		return []lindungi.PolicyRule{}
	}
	return rs
}

// ChangePolicy applies a change of policy lines if validate accepts the
// result: the lines, a new policy version, its audit event, a notification
// to every process and the answer of the request
// (lindungi.NewContextWithAnswer), in one transaction. Changes are
// serialized.
func (db *DB) ChangePolicy(ctx context.Context, c lindungi.PolicyChange, ev lindungi.Event, validate lindungi.PolicyValidator) (lindungi.PolicyVersion, error) {
	for _, r := range slices.Concat(c.Add, c.Remove) {
		if r.Model != lindungi.ModelAccess && r.Model != lindungi.ModelRouting {
			return lindungi.PolicyVersion{}, lindungi.Errorf(lindungi.EINVALID, "Unknown policy model %q.", r.Model)
		}
	}
	var out lindungi.PolicyVersion
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE policy_rules IN EXCLUSIVE MODE`); err != nil {
			return translate(err)
		}
		next := map[string][]lindungi.PolicyRule{}
		for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
			rules, err := policyRules(ctx, tx, m)
			if err != nil {
				return err
			}
			next[m] = rules
		}
		for _, r := range c.Remove {
			i := slices.IndexFunc(next[r.Model], func(x lindungi.PolicyRule) bool { return x.String() == r.String() })
			if i < 0 {
				return lindungi.Errorf(lindungi.ENOTFOUND, "The policy line %q does not exist in the %s model.", r.String(), r.Model)
			}
			next[r.Model] = slices.Delete(next[r.Model], i, i+1)
			if err := deleteRule(ctx, tx, r); err != nil {
				return err
			}
		}
		for _, r := range c.Add {
			next[r.Model] = append(next[r.Model], r)
			if err := insertRule(ctx, tx, r); err != nil {
				return err
			}
		}
		if err := validate(next); err != nil {
			return err
		}
		now := db.Now().UTC()
		version, err := insertVersion(ctx, tx, ev, c.Reason, c.Add, c.Remove, now)
		if err != nil {
			return err
		}
		out = lindungi.PolicyVersion{Version: version, Actor: ev.Actor, ActorUnit: ev.ActorUnit, Reason: c.Reason,
			Added: nonNil(c.Add), Removed: nonNil(c.Remove), CreatedAt: now}
		return db.answer(ctx, tx, out)
	})
	return out, err
}

type versionRow struct {
	Version   int64     `db:"version"`
	Actor     string    `db:"actor"`
	ActorUnit string    `db:"actor_unit"`
	Reason    string    `db:"reason"`
	Added     []byte    `db:"added"`
	Removed   []byte    `db:"removed"`
	CreatedAt time.Time `db:"created_at"`
}

// PolicyVersions returns the policy history, newest first.
func (db *DB) PolicyVersions(ctx context.Context, limit int) ([]lindungi.PolicyVersion, error) {
	var rows []versionRow
	if err := db.db.SelectContext(ctx, &rows, `
SELECT version, actor, actor_unit, reason, added, removed, created_at FROM policy_versions
ORDER BY version DESC LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("policy versions: %w", translate(err))
	}
	out := make([]lindungi.PolicyVersion, len(rows))
	for i, r := range rows {
		out[i] = lindungi.PolicyVersion{Version: r.Version, Actor: r.Actor, ActorUnit: r.ActorUnit, Reason: r.Reason, CreatedAt: r.CreatedAt.UTC()}
		if err := json.Unmarshal(r.Added, &out[i].Added); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r.Removed, &out[i].Removed); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PolicyVersion returns the latest policy version, 0 if there is none.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.db.GetContext(ctx, &v, `SELECT coalesce(max(version), 0) FROM policy_versions`)
	return v, translate(err)
}

// Adapter is a casbin persist.Adapter for one model's lines in policy_rules.
type Adapter struct {
	db    *DB
	model string
}

var _ persist.Adapter = (*Adapter)(nil)

// NewAdapter returns the casbin adapter of model m.
func (db *DB) NewAdapter(m string) *Adapter { return &Adapter{db: db, model: m} }

// LoadPolicy loads every line of the model.
func (a *Adapter) LoadPolicy(mdl model.Model) error {
	rules, err := a.db.PolicyRules(context.Background(), a.model)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := persist.LoadPolicyArray(append([]string{r.PType}, r.Values...), mdl); err != nil {
			return fmt.Errorf("load %s: %w", r.String(), err)
		}
	}
	return nil
}

// SavePolicy replaces the model's lines with those of mdl. Lindungi changes
// policies through ChangePolicy, which versions and audits them; this exists
// for casbin tools.
func (a *Adapter) SavePolicy(mdl model.Model) error {
	ctx := context.Background()
	return a.db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM policy_rules WHERE model = $1`, a.model); err != nil {
			return translate(err)
		}
		for _, sec := range []string{"p", "g"} {
			for ptype, ast := range mdl[sec] {
				for _, vs := range ast.Policy {
					if err := insertRule(ctx, tx, lindungi.PolicyRule{Model: a.model, PType: ptype, Values: vs}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// AddPolicy adds one line.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	ctx := context.Background()
	return a.db.inTx(ctx, func(tx *sqlx.Tx) error {
		return insertRule(ctx, tx, lindungi.PolicyRule{Model: a.model, PType: ptype, Values: rule})
	})
}

// RemovePolicy removes one line.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	ctx := context.Background()
	return a.db.inTx(ctx, func(tx *sqlx.Tx) error {
		return deleteRule(ctx, tx, lindungi.PolicyRule{Model: a.model, PType: ptype, Values: rule})
	})
}

// RemoveFilteredPolicy removes the lines whose values from fieldIndex on
// equal fieldValues ("" matches anything).
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > 8 {
		return lindungi.Errorf(lindungi.EINVALID, "Bad field index %d.", fieldIndex)
	}
	q := `DELETE FROM policy_rules WHERE model = $1 AND ptype = $2`
	args := []any{a.model, ptype}
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		args = append(args, v)
		q += fmt.Sprintf(" AND v%d = $%d", fieldIndex+i, len(args))
	}
	_, err := a.db.db.Exec(q, args...)
	return translate(err)
}
