package awsauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/inventory"
)

// Section names: the only data keys the authenticator reads (case-sensitive, D1.2).
const (
	MapRoles    = "mapRoles"
	MapUsers    = "mapUsers"
	MapAccounts = "mapAccounts"
)

// mode selects which backend's decoding and validation rules apply.
type mode int

const (
	// modeConfigMap: EKSConfigMap backend, pkg/mapper/configmap/configmap.go ParseMap.
	modeConfigMap mode = iota
	// modeServer: MountedFile backend, viper.UnmarshalKey("server.mapRoles") (mapstructure,
	// weakly typed) + pkg/mapper/file/mapper.go NewFileMapper.
	modeServer
	// modeDynamic: DynamicFile backend, pkg/mapper/dynamicfile/dynamicfile.go CallBackForFileLoad.
	modeDynamic
)

// field is one field of config.RoleMapping / config.UserMapping (pkg/config/types.go).
type field struct {
	name string
	kind string // "string", "strings", "sso"
}

var (
	roleFields = []field{{"rolearn", "string"}, {"sso", "sso"}, {"username", "string"}, {"groups", "strings"}, {"userid", "string"}}
	userFields = []field{{"userarn", "string"}, {"username", "string"}, {"groups", "strings"}, {"userid", "string"}}
	ssoFields  = []string{"permissionSetName", "accountID", "partition"}
)

// ssoJSON mirrors config.SSOARNMatcher.
type ssoJSON struct {
	PermissionSetName string `json:"permissionSetName"`
	AccountID         string `json:"accountID"`
	Partition         string `json:"partition"`
}

// entryJSON mirrors config.RoleMapping and config.UserMapping (decoded with encoding/json, so
// field names match case-insensitively, D1.5).
type entryJSON struct {
	RoleARN  string   `json:"rolearn"`
	SSO      *ssoJSON `json:"sso"`
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
	UserID   string   `json:"userid"`
}

type userJSON struct {
	UserARN  string   `json:"userarn"`
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
	UserID   string   `json:"userid"`
}

// isSkippable mirrors configmap.go isSkippable (D1.4); a pair of single quotes is added per
// the spec (yaml turns it
// into a JSON string, which decodes to no entries either).
func isSkippable(s string) bool {
	t := strings.TrimSpace(s)
	return t == "" || t == "``" || t == `""` || t == "''"
}

// toJSON mirrors k8s.io/apimachinery/pkg/util/yaml.ToJSON: input whose first non-space byte is
// "{" is taken as JSON unchanged; anything else goes through sigs.k8s.io/yaml.YAMLToJSON
// (go-yaml v2, the parser the authenticator uses).
func toJSON(s []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	if bytes.HasPrefix(bytes.TrimLeft(s, " \t\r\n\v\f"), []byte("{")) {
		return s, nil
	}
	return sigsyaml.YAMLToJSON(s)
}

// parseInner parses a string value with yaml.v3 for positions only; nil when it does not parse.
func parseInner(s string) (root *yaml.Node) {
	defer func() {
		if recover() != nil {
			root = nil
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) == 0 {
		return nil
	}
	return n.Content[0]
}

// sectionResult is one decoded section.
type sectionResult struct {
	err      string
	errAt    inventory.Source
	entries  []*inventory.AuthEntry
	accounts []inventory.AccountRef
	warnings []warning
}

type warning struct {
	at  inventory.Source
	msg string
}

// decodeEntries decodes a mapRoles or mapUsers section given as JSON (raw) with tree (the
// positioned list node, may be nil) for positions.
func decodeEntries(authID, section string, raw []byte, tree *yaml.Node, pm posMap, md mode) sectionResult {
	var res sectionResult
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		// Not a list (or invalid JSON behind a leading "{"): json.Unmarshal into the slice
		// fails before any entry is decoded, so the whole section is dropped.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			res.err = fmt.Sprintf("%s must be a list of entries, got a %s", section, te.Value)
		} else {
			res.err = fmt.Sprintf("%s is not valid JSON: %v", section, err)
		}
		res.errAt = pm.at(tree)
		return res
	}
	var nodes []*yaml.Node
	if tree != nil && tree.Kind == yaml.SequenceNode && len(tree.Content) == len(items) {
		nodes = tree.Content
	}
	fields := roleFields
	if section != MapRoles {
		fields = userFields
	}
	for i, item := range items {
		var n *yaml.Node
		if nodes != nil {
			n = docnode.Resolve(nodes[i])
		}
		e := &inventory.AuthEntry{
			ID:      inventory.AuthEntryID(authID, section, i),
			Section: section,
			Index:   i,
			Source:  pm.at(n),
		}
		if md == modeServer {
			item = weaken(item, fields)
		}
		if section == MapRoles {
			var m entryJSON
			_ = json.Unmarshal(item, &m) // type errors are analysed per field below
			e.ARN, e.Username, e.Groups = m.RoleARN, m.Username, m.Groups
			if m.SSO != nil {
				e.SSO = &inventory.SSOMatcher{PermissionSetName: m.SSO.PermissionSetName, AccountID: m.SSO.AccountID, Partition: m.SSO.Partition}
			}
		} else {
			var m userJSON
			_ = json.Unmarshal(item, &m)
			e.ARN, e.Username, e.Groups = m.UserARN, m.Username, m.Groups
		}
		analyseKeys(e, item, n, fields, pm)
		e.Invalid = validate(e, md)
		res.entries = append(res.entries, e)
	}
	shadow(res.entries, md)
	return res
}

// analyseKeys records type errors (D3.3) and unknown keys (ignored by encoding/json, D1.5).
func analyseKeys(e *inventory.AuthEntry, item json.RawMessage, n *yaml.Node, fields []field, pm posMap) {
	t := bytes.TrimSpace(item)
	if bytes.Equal(t, []byte("null")) {
		return
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(item, &obj); err != nil {
		e.TypeErrors = append(e.TypeErrors, "entry: expected a mapping")
		return
	}
	for _, k := range sortedKeys(obj) {
		f, ok := matchField(k, fields)
		if !ok {
			e.UnknownKeys = append(e.UnknownKeys, inventory.KeyRef{
				ID: inventory.AuthEntryKeyID(e.ID, k), Key: k, Source: pm.at(keyNode(n, k)),
			})
			continue
		}
		v := obj[k]
		switch f.kind {
		case "string":
			var s string
			if json.Unmarshal(v, &s) != nil {
				e.TypeErrors = append(e.TypeErrors, f.name+": expected a string")
			}
		case "strings":
			var ss []string
			if json.Unmarshal(v, &ss) != nil {
				e.TypeErrors = append(e.TypeErrors, f.name+": expected a list of strings")
			}
		case "sso":
			var sub map[string]json.RawMessage
			if err := json.Unmarshal(v, &sub); err != nil {
				e.TypeErrors = append(e.TypeErrors, "sso: expected a mapping")
				continue
			}
			_, sn := docnode.LookupFold(n, k)
			for _, sk := range sortedKeys(sub) {
				name, ok := matchName(sk, ssoFields)
				if !ok {
					e.UnknownKeys = append(e.UnknownKeys, inventory.KeyRef{
						ID: inventory.AuthEntryKeyID(e.ID, "sso."+sk), Key: "sso." + sk, Source: pm.at(keyNode(sn, sk)),
					})
					continue
				}
				var s string
				if json.Unmarshal(sub[sk], &s) != nil {
					e.TypeErrors = append(e.TypeErrors, "sso."+name+": expected a string")
				}
			}
		}
	}
	sort.SliceStable(e.UnknownKeys, func(i, j int) bool {
		a, b := e.UnknownKeys[i].Source, e.UnknownKeys[j].Source
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// matchField applies encoding/json's rule: exact name first, else case-insensitive
// (Unicode simple folding, as bytes.EqualFold).
func matchField(k string, fields []field) (field, bool) {
	for _, f := range fields {
		if f.name == k {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, k) {
			return f, true
		}
	}
	return field{}, false
}

func matchName(k string, names []string) (string, bool) {
	for _, n := range names {
		if strings.EqualFold(n, k) {
			return n, true
		}
	}
	return "", false
}

// keyNode finds the key node in mapping n whose text (or, for keys yaml turned into other
// JSON text, whose value) equals k.
func keyNode(n *yaml.Node, k string) *yaml.Node {
	n = docnode.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i]
		}
	}
	return n
}

var (
	accountIDRE         = regexp.MustCompile(`^[0-9]{12}$`)
	permissionSetNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)
	// partitions is pkg/endpoints PARTITIONS of aws-iam-authenticator.
	partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)

// validate mirrors pkg/config/mapper.go RoleMapping.Validate / UserMapping.Validate (D2.4); the
// DynamicFile backend only requires the ARN (dynamicfile.go CallBackForFileLoad).
func validate(e *inventory.AuthEntry, md mode) string {
	if md == modeDynamic {
		if e.ARN == "" {
			if e.Section == MapRoles {
				return "value for rolearn must be supplied"
			}
			return "value for userarn must be supplied"
		}
		return ""
	}
	if e.Section != MapRoles {
		if e.ARN == "" {
			return "value for userarn must be supplied"
		}
		return ""
	}
	switch {
	case e.ARN == "" && e.SSO == nil:
		return "one of rolearn or sso must be supplied"
	case e.ARN != "" && e.SSO != nil:
		return "only one of rolearn or sso can be supplied"
	}
	if s := e.SSO; s != nil {
		if !accountIDRE.MatchString(s.AccountID) {
			return fmt.Sprintf("sso.accountID %q is not a valid AWS account ID (12 digits)", s.AccountID)
		}
		if !permissionSetNameRE.MatchString(s.PermissionSetName) {
			return fmt.Sprintf("sso.permissionSetName %q is not a valid permission set name", s.PermissionSetName)
		}
		if s.Partition != "" && !slices.Contains(partitions, s.Partition) {
			return fmt.Sprintf("sso.partition %q is not a valid AWS partition", s.Partition)
		}
	}
	return ""
}

// shadow marks entries overridden by a later valid entry with the same store key (D5.3): the
// authenticator saves entries into a map, so the last one wins. ConfigMap: mapRoles keyed by
// RoleMapping.Key() (lower-cased rolearn, else the SSO pattern), mapUsers by UserMapping.Key()
// = userarn as written — entries differing only in case are both kept and which one matches
// depends on map iteration order, so they are not marked here (rules report them). The file
// and dynamic-file backends key both sections by the lower-cased ARN.
func shadow(entries []*inventory.AuthEntry, md mode) {
	winner := map[string]*inventory.AuthEntry{}
	keys := make([]string, len(entries))
	for i, e := range entries {
		if e.Invalid != "" {
			continue
		}
		k := e.ARN
		switch {
		case e.Section == MapRoles && e.ARN == "" && e.SSO != nil:
			k = e.SSO.ARNLike()
		case e.Section == MapRoles || md != modeConfigMap:
			k = strings.ToLower(e.ARN)
		}
		keys[i] = k
		winner[k] = e
	}
	for i, e := range entries {
		if e.Invalid != "" {
			continue
		}
		if w := winner[keys[i]]; w != e {
			e.Shadowed = w.ID
		}
	}
}

// decodeAccounts decodes a ConfigMap mapAccounts string with go-yaml v2 into []string, as
// ParseMap does (D1.6): scalars keep their literal text (leading zeros survive); elements that
// are not scalars are skipped by yaml.v2 with a type error, the others are kept.
func decodeAccounts(authID string, s string, pm posMap) sectionResult {
	return decodeAccountsTree(authID, s, parseInner(s), pm)
}

// decodeAccountsTree is decodeAccounts with tree, the positioned node s was parsed from or
// rendered from (nil when s does not parse).
func decodeAccountsTree(authID string, s string, tree *yaml.Node, pm posMap) (res sectionResult) {
	defer func() {
		if r := recover(); r != nil {
			res = sectionResult{err: fmt.Sprintf("mapAccounts does not parse: %v", r), errAt: pm.fallback}
		}
	}()
	var accts []string
	err := yamlv2.Unmarshal([]byte(s), &accts)
	tree = docnode.Resolve(tree)
	var te *yamlv2.TypeError
	if err != nil && !errors.As(err, &te) {
		res.err = "mapAccounts does not parse as YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")
		res.errAt = pm.atLine(errLine(err))
		return res
	}
	// Positions: the v3 items that yaml.v2 accepts are the scalar ones.
	var kept []*yaml.Node
	if tree != nil && tree.Kind == yaml.SequenceNode {
		for _, it := range tree.Content {
			it = docnode.Resolve(it)
			if it.Kind == yaml.ScalarNode {
				kept = append(kept, it)
			} else {
				res.warnings = append(res.warnings, warning{pm.at(it), "mapAccounts item is not a string; the authenticator skips it"})
			}
		}
	}
	if te != nil && len(accts) == 0 && (tree == nil || tree.Kind != yaml.SequenceNode) {
		res.err = "mapAccounts must be a list of account IDs"
		res.errAt = pm.at(tree)
		return res
	}
	if len(kept) != len(accts) {
		kept = nil
	}
	for i, a := range accts {
		var n *yaml.Node
		if kept != nil {
			n = kept[i]
		}
		res.accounts = append(res.accounts, inventory.AccountRef{ID: inventory.AuthEntryID(authID, MapAccounts, i), Account: a, Source: pm.at(n)})
	}
	return res
}

// decodeStructuredAccounts decodes a structured mapAccounts list (server config: viper, weakly
// typed, so scalars become their text; dynamic file: strict JSON strings).
func decodeStructuredAccounts(authID string, n *yaml.Node, pm posMap, md mode) (res sectionResult) {
	n = docnode.Resolve(n)
	if n == nil || docnode.IsNull(n) {
		return res
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	} else if md == modeDynamic {
		res.err, res.errAt = "mapAccounts must be a list of strings", pm.at(n)
		return res
	}
	for _, it := range items {
		it = docnode.Resolve(it)
		if it.Kind != yaml.ScalarNode || (md == modeDynamic && it.Tag != "!!str") {
			res.err, res.errAt = "mapAccounts must be a list of strings", pm.at(it)
			res.accounts = nil
			return res
		}
		res.accounts = append(res.accounts, inventory.AccountRef{ID: inventory.AuthEntryID(authID, MapAccounts, len(res.accounts)), Account: it.Value, Source: pm.at(it)})
	}
	return res
}

// weaken applies mapstructure's WeaklyTypedInput (viper.UnmarshalKey) to one entry: scalars
// become strings (bools "1"/"0"), a single scalar becomes a one-element list.
func weaken(item json.RawMessage, fields []field) json.RawMessage {
	var obj map[string]any
	if json.Unmarshal(item, &obj) != nil {
		return item
	}
	for k, v := range obj {
		f, ok := matchField(k, fields)
		if !ok {
			continue
		}
		switch f.kind {
		case "string":
			if s, ok := weakString(v); ok {
				obj[k] = s
			}
		case "strings":
			switch l := v.(type) {
			case []any:
				for i, x := range l {
					if s, ok := weakString(x); ok {
						l[i] = s
					}
				}
			default:
				if s, ok := weakString(v); ok {
					obj[k] = []any{s}
				}
			}
		}
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return item
	}
	return out
}

func weakString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}
