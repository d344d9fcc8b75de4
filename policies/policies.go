// Package policies decides, with casbin, who may do what where (the
// Authorizer: routes, and named actions such as referring a case without
// consent) and which unit receives a task and who is next when its deadline
// passes (the Router). The models are embedded files; the policy lines live
// in PostgreSQL, seeded from the embedded CSV files, and a process's Set
// reloads them when an administrator changes them. The unit hierarchy comes
// from the units table.
package policies

import (
	"bufio"
	"embed"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"
	"github.com/lindungi/lindungi"
)

//go:embed *.conf *.csv
var files embed.FS

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// DefaultRules returns the policy lines shipped in access.csv and routing.csv.
func DefaultRules() []lindungi.PolicyRule {
	var rules []lindungi.PolicyRule
	for _, m := range []string{lindungi.ModelAccess, lindungi.ModelRouting} {
		sc := bufio.NewScanner(strings.NewReader(mustRead(m + ".csv")))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			parts := strings.Split(line, ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			rules = append(rules, lindungi.PolicyRule{Model: m, PType: parts[0], Values: parts[1:]})
		}
	}
	return rules
}

// Rules selects the lines of model m.
func Rules(all []lindungi.PolicyRule, m string) []lindungi.PolicyRule {
	var out []lindungi.PolicyRule
	for _, r := range all {
		if r.Model == m {
			out = append(out, r)
		}
	}
	return out
}

// allowedPTypes are the policy types each model accepts from its lines; the
// unit hierarchy (g2 in access, g in routing) comes from the units table.
var allowedPTypes = map[string][]string{
	lindungi.ModelAccess:  {"p", "g"},
	lindungi.ModelRouting: {"p", "p2"},
}

// newEnforcer builds an enforcer from a model file, policy lines and the
// unit hierarchy as grouping lines of type gtype.
func newEnforcer(modelName string, rules []lindungi.PolicyRule, gtype string, units []lindungi.Unit) (*casbin.SyncedEnforcer, error) {
	m, err := model.NewModelFromString(mustRead(modelName + ".conf"))
	if err != nil {
		return nil, fmt.Errorf("%s model: %w", modelName, err)
	}
	var b strings.Builder
	for _, r := range rules {
		if r.Model != modelName {
			continue
		}
		ok := false
		for _, pt := range allowedPTypes[modelName] {
			ok = ok || r.PType == pt
		}
		if !ok {
			return nil, lindungi.Errorf(lindungi.EINVALID, "Policy type %q is not allowed in the %s model.", r.PType, modelName)
		}
		for _, v := range r.Values {
			if v == "" || strings.ContainsAny(v, ",\n\"") {
				return nil, lindungi.Errorf(lindungi.EINVALID, "Policy line %q has an empty value or one with a comma, quote or line break.", r.String())
			}
		}
		b.WriteString(r.String())
		b.WriteString("\n")
	}
	for _, u := range units {
		if u.Parent != "" {
			fmt.Fprintf(&b, "%s, %s, %s\n", gtype, u.Code, u.Parent)
		}
	}
	e, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(b.String()))
	if err != nil {
		return nil, lindungi.Errorf(lindungi.EINVALID, "The %s policy does not load: %v.", modelName, err)
	}
	return e, nil
}
