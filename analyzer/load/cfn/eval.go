package cfn

import (
	"encoding/base64"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/rolecall/rolecall/analyzer/docnode"
	"github.com/rolecall/rolecall/analyzer/iampolicy"
	"github.com/rolecall/rolecall/analyzer/load/iamjson"
	"github.com/rolecall/rolecall/analyzer/load/node"
)

// Evaluation of intrinsic functions. resolve turns a template node into a plain node tree (no
// intrinsics), every node positioned where the author wrote the value or the expression that
// produced it; a value known only after deployment is a string holding iampolicy.Unknown(expr),
// alone or inside a string built with !Sub or !Join. Reference:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html

// Pseudo parameters (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
// Only the partition and its domain suffix are resolved, to the commercial partition's "aws" and
// "amazonaws.com": that is the one assumption the infrastructure-as-code ARN convention already
// makes (!GetAtt Role.Arn is arn:aws:iam:::role/NAME), so both spellings of an ARN agree, and the
// partition changes no IAM semantics rolecall evaluates. The others depend on the account, region
// or stack the template is deployed to and stay unknown. AWS::NoValue removes the property.
var pseudoValues = map[string]string{
	"AWS::Partition": "aws",
	"AWS::URLSuffix": "amazonaws.com",
}

var pseudoUnknown = map[string]bool{
	"AWS::AccountId": true, "AWS::Region": true, "AWS::StackName": true, "AWS::StackId": true,
	"AWS::NotificationARNs": true,
}

const noValue = "AWS::NoValue"

// Limits that keep a hostile or broken template from exhausting the stack or memory.
const (
	maxDepth  = 100
	maxString = 1 << 20
	maxNodes  = 100_000 // evaluation steps per template (YAML aliases can expand exponentially)
)

// tri is the value of a condition: true, false, or not decidable before deployment.
type tri int

const (
	triUnknown tri = iota
	triFalse
	triTrue
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// strAt is a string scalar positioned at at.
func strAt(s string, at *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Line: at.Line, Column: at.Column}
}

// unknownAt is the marker of a value known only after deployment, positioned at at.
func unknownAt(expr string, at *yaml.Node) *yaml.Node { return strAt(iampolicy.Unknown(expr), at) }

// intrinsic reports whether n is an intrinsic function call: a short-form tag (!Sub …) or a
// one-key mapping {"Fn::Sub": …} / {"Ref": …}. inCondition also accepts {"Condition": NAME},
// which only means a condition reference inside a condition. name is the long form
// ("Ref", "Condition", "Fn::Sub"); arg is the argument without the tag.
func intrinsic(n *yaml.Node, inCondition bool) (name string, arg *yaml.Node, ok bool) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		short := n.Tag[1:]
		name = "Fn::" + short
		if short == "Ref" || short == "Condition" {
			name = short
		}
		a := *n
		a.Style &^= yaml.TaggedStyle
		switch n.Kind {
		case yaml.SequenceNode:
			a.Tag = "!!seq"
		case yaml.MappingNode:
			a.Tag = "!!map"
		default:
			a.Tag = "!!str"
		}
		return name, &a, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") || (inCondition && k == "Condition") {
			return k, docnode.Resolve(n.Content[1]), true
		}
	}
	return "", nil, false
}

// resolve evaluates n. It returns nil for AWS::NoValue (the caller drops the property or
// list item). Scalars written in the template are copied (YAML dates become strings, as
// CloudFormation reads "Version: 2012-10-17"); the copies remember their origin so a JSON
// document written in a string can be positioned in the file.
func (t *template) resolve(n *yaml.Node) *yaml.Node {
	n = docnode.Resolve(n)
	if n == nil {
		return nil
	}
	t.depth++
	defer func() { t.depth-- }()
	if !t.spend(n) {
		return unknownAt(render(n), n)
	}
	if name, arg, ok := intrinsic(n, false); ok {
		return t.call(name, arg, n)
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ yaml.TaggedStyle, Line: n.Line, Column: n.Column}
	switch n.Kind {
	case yaml.ScalarNode:
		if c.Tag == "!!timestamp" {
			c.Tag = "!!str"
		}
		t.fromSource[c] = true
	case yaml.SequenceNode:
		for _, it := range n.Content {
			if r := t.resolve(it); r != nil {
				c.Content = append(c.Content, r)
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := t.resolve(n.Content[i+1])
			if v == nil {
				continue
			}
			k := *n.Content[i]
			c.Content = append(c.Content, &k, v)
		}
	}
	return c
}

// spend accounts for one evaluation step at n; false (reported once) when the value is nested
// too deep or the template has used up its steps.
func (t *template) spend(n *yaml.Node) bool {
	if t.depth > maxDepth {
		t.fail(n, "the value is nested more than %d levels deep: not evaluated", maxDepth)
		return false
	}
	t.steps++
	if t.steps > maxNodes {
		if t.steps == maxNodes+1 {
			t.fail(n, "the template expands to more than %d values (YAML aliases?): the rest is not evaluated", maxNodes)
		}
		return false
	}
	return true
}

// call evaluates intrinsic name with argument arg; at is the call as written.
func (t *template) call(name string, arg, at *yaml.Node) *yaml.Node {
	switch name {
	case "Ref":
		s, ok := scalar(arg)
		if !ok {
			t.fail(at, "!Ref takes the name of a parameter, resource or pseudo parameter")
			return unknownAt(render(at), at)
		}
		return t.ref(s, at)
	case "Fn::GetAtt":
		return t.getAttCall(arg, at)
	case "Fn::Sub":
		return t.sub(arg, at)
	case "Fn::Join":
		return t.join(arg, at)
	case "Fn::Select":
		return t.selectCall(arg, at)
	case "Fn::Split":
		return t.split(arg, at)
	case "Fn::If":
		return t.ifCall(arg, at)
	case "Fn::FindInMap":
		return t.findInMap(arg, at)
	case "Fn::Base64":
		v := t.resolve(arg)
		s, ok := scalar(v)
		if !ok || iampolicy.HasUnknown(s) {
			return unknownAt(render(at), at)
		}
		return strAt(base64.StdEncoding.EncodeToString([]byte(s)), at)
	}
	// !ImportValue, !GetAZs, !Cidr, !Transform, conditions outside Conditions, and anything
	// newer: the value is decided at deployment.
	return unknownAt(render(at), at)
}

// scalar returns a scalar's text (false for nil, null, lists and mappings).
func scalar(n *yaml.Node) (string, bool) { return docnode.Str(n) }

// args returns the items of a list argument of fn, reporting a wrong shape; want is the
// expected shape for the message, counts the accepted lengths.
func (t *template) args(arg, at *yaml.Node, fn, want string, counts ...int) ([]*yaml.Node, bool) {
	items := docnode.Items(arg)
	if arg.Kind == yaml.SequenceNode {
		for _, c := range counts {
			if len(items) == c {
				return items, true
			}
		}
	}
	t.fail(at, "%s expects %s", fn, want)
	return nil, false
}

// ref evaluates Ref name (also ${name} in !Sub).
func (t *template) ref(name string, at *yaml.Node) *yaml.Node {
	if name == noValue {
		return nil
	}
	if v, ok := pseudoValues[name]; ok {
		return strAt(v, at)
	}
	if pseudoUnknown[name] {
		return unknownAt("!Ref "+name, at)
	}
	if p := t.params[name]; p != nil {
		return t.paramValue(name, p, at)
	}
	if res := t.resources[name]; res != nil {
		return t.refResource(res, at)
	}
	hint := ""
	if strings.Contains(name, ":") && !strings.HasPrefix(name, "AWS::") {
		hint = " (an IAM policy variable in !Sub is written ${!" + name + "})"
	}
	t.fail(at, "!Ref %s: the template has no parameter or resource of that name, and it is no pseudo parameter%s", name, hint)
	return unknownAt("!Ref "+name, at)
}

// paramValue is a parameter's default, positioned at the reference; without a default (or for
// an SSM parameter type, whose default names the SSM parameter, not its value) it is unknown.
// List types give a list (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html).
func (t *template) paramValue(name string, p *param, at *yaml.Node) *yaml.Node {
	if p.def == nil || docnode.IsNull(p.def) || strings.HasPrefix(p.typ, "AWS::SSM::Parameter::Value") {
		return unknownAt("!Ref "+name, at)
	}
	isList := p.typ == "CommaDelimitedList" || strings.HasPrefix(p.typ, "List<")
	if p.def.Kind == yaml.SequenceNode {
		return reposition(t.resolve(p.def), at)
	}
	s, ok := scalar(p.def)
	if !ok {
		t.fail(p.def, "parameter %s: Default must be a string", name)
		return unknownAt("!Ref "+name, at)
	}
	if !isList {
		return strAt(s, at)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
	for _, part := range strings.Split(s, ",") {
		seq.Content = append(seq.Content, strAt(strings.TrimSpace(part), at))
	}
	return seq
}

// refResource is Ref of a resource: what the resource type's documentation says Ref returns,
// for the types rolecall reads; anything else is unknown.
func (t *template) refResource(res *resource, at *yaml.Node) *yaml.Node {
	expr := "!Ref " + res.id
	switch res.typ {
	case typeRole: // the role name
		return strAt(t.roleName(res), at)
	case typeOIDCProvider: // the provider ARN
		return strAt(t.providerARN(res, expr), at)
	case typeManagedPolicy: // the policy ARN
		return strAt(t.policyARN(res), at)
	case typeCluster: // the cluster name
		return strAt(t.clusterName(res), at)
	}
	return unknownAt(expr, at)
}

func (t *template) getAttCall(arg, at *yaml.Node) *yaml.Node {
	var id, attr string
	switch arg.Kind {
	case yaml.ScalarNode:
		id, attr, _ = strings.Cut(arg.Value, ".")
	case yaml.SequenceNode:
		items := docnode.Items(arg)
		if len(items) == 2 {
			id, _ = scalar(items[0])
			a := t.resolve(items[1])
			attr, _ = scalar(a)
		}
	}
	if id == "" || attr == "" {
		t.fail(at, "!GetAtt expects RESOURCE.ATTRIBUTE or [RESOURCE, ATTRIBUTE]")
		return unknownAt(render(at), at)
	}
	return t.getAtt(id, attr, at)
}

// getAtt evaluates !GetAtt id.attr (also ${id.attr} in !Sub). The ARNs of roles, OIDC providers
// and managed policies declared in the template follow the infrastructure-as-code convention
// (account unknown, so empty): they link to the same inventory elements wherever they are used.
func (t *template) getAtt(id, attr string, at *yaml.Node) *yaml.Node {
	expr := "!GetAtt " + id + "." + attr
	res := t.resources[id]
	if res == nil {
		t.fail(at, "%s: the template has no resource %s", expr, id)
		return unknownAt(expr, at)
	}
	switch {
	case res.typ == typeRole && attr == "Arn":
		return strAt(t.roleARN(res), at)
	case res.typ == typeOIDCProvider && attr == "Arn":
		return strAt(t.providerARN(res, expr), at)
	case res.typ == typeManagedPolicy && attr == "PolicyArn":
		return strAt(t.policyARN(res), at)
	}
	return unknownAt(expr, at)
}

// prop is the evaluated property key of res (nil when absent or AWS::NoValue). Each property is
// evaluated once; a property that depends on itself is reported and unknown.
func (t *template) prop(res *resource, key string) *yaml.Node {
	mk := res.id + "\x00" + key
	if v, ok := t.memo[mk]; ok {
		return v
	}
	_, v := docnode.Lookup(res.props, key)
	if v == nil {
		return nil
	}
	if t.busy[mk] {
		t.fail(v, "%s %s: %s refers to itself", res.typ, res.id, key)
		return unknownAt(render(v), v)
	}
	t.busy[mk] = true
	out := t.resolve(v)
	delete(t.busy, mk)
	t.memo[mk] = out
	return out
}

// propString is a string property ("", false when absent or not a string).
func (t *template) propString(res *resource, key string) (string, bool) {
	return scalar(t.prop(res, key))
}

// roleName is the RoleName, or — when absent — the name CloudFormation generates at
// deployment, unknown: the same marker wherever the role is referenced, so references link.
func (t *template) roleName(res *resource) string {
	if s, ok := t.propString(res, "RoleName"); ok {
		return s
	}
	return iampolicy.Unknown("!Ref " + res.id)
}

func (t *template) path(res *resource) string {
	if s, ok := t.propString(res, "Path"); ok && s != "" {
		return s
	}
	return "/"
}

// roleARN is arn:aws:iam:::role/PATH/NAME (account unknown).
func (t *template) roleARN(res *resource) string {
	return iamjson.UnknownAccountRoleARN(strings.TrimPrefix(t.path(res), "/") + t.roleName(res))
}

// providerARN is arn:aws:iam:::oidc-provider/HOST/PATH (account unknown), or unknown (expr)
// when the Url is.
func (t *template) providerARN(res *resource, expr string) string {
	url, ok := t.propString(res, "Url")
	if !ok || !strings.HasPrefix(url, "https://") {
		return iampolicy.Unknown(expr)
	}
	return iamjson.UnknownAccountProviderARN(strings.TrimPrefix(url, "https://"))
}

// policyARN is arn:aws:iam:::policy/PATH/NAME (account unknown).
func (t *template) policyARN(res *resource) string {
	name, ok := t.propString(res, "ManagedPolicyName")
	if !ok {
		name = iampolicy.Unknown("!Ref " + res.id)
	}
	return iamjson.UnknownAccountARN("policy", strings.TrimPrefix(t.path(res), "/")+name)
}

func (t *template) clusterName(res *resource) string {
	if s, ok := t.propString(res, "Name"); ok {
		return s
	}
	return iampolicy.Unknown("!Ref " + res.id)
}

// sub evaluates !Sub: ${Name} is Ref Name, ${Res.Attr} is GetAtt, ${!Text} is the literal
// ${Text}, and a variable map overrides names. Unknown values stay as markers inside the
// string. The result is positioned at the !Sub; its characters keep the positions of the
// template text they come from (substituted text that of its ${), so a JSON document built
// with !Sub is located line by line.
func (t *template) sub(arg, at *yaml.Node) *yaml.Node {
	tmpl := arg
	vars := map[string]*yaml.Node{}
	if arg.Kind == yaml.SequenceNode {
		items, ok := t.args(arg, at, "!Sub", "a string, or [STRING, {NAME: VALUE, …}]", 2)
		if !ok || !docnode.IsMap(items[1]) {
			if ok {
				t.fail(at, "!Sub expects a string, or [STRING, {NAME: VALUE, …}]")
			}
			return unknownAt(render(at), at)
		}
		tmpl = items[0]
		for _, kv := range docnode.Pairs(items[1]) {
			vars[kv[0].Value] = kv[1]
		}
	}
	src, ok := scalar(tmpl)
	if !ok || tmpl.Kind != yaml.ScalarNode {
		t.fail(at, "!Sub expects a string, or [STRING, {NAME: VALUE, …}]")
		return unknownAt(render(at), at)
	}
	srcPos := t.sourcePositions(tmpl)
	posOf := func(i int) pos {
		if srcPos == nil {
			return pos{at.Line, at.Column}
		}
		return srcPos[min(i, len(srcPos)-1)]
	}
	var out strings.Builder
	var outPos []pos
	emit := func(s string, p func(k int) pos) {
		out.WriteString(s)
		for k := range len(s) {
			outPos = append(outPos, p(k))
		}
	}
	for i := 0; i < len(src); {
		j := strings.Index(src[i:], "${")
		if j < 0 {
			emit(src[i:], func(k int) pos { return posOf(i + k) })
			break
		}
		j += i
		emit(src[i:j], func(k int) pos { return posOf(i + k) })
		if j+2 < len(src) && src[j+2] == '!' { // ${!Literal} is the text ${Literal}
			emit("${", func(int) pos { return posOf(j) })
			i = j + 3
			continue
		}
		end := strings.IndexByte(src[j+2:], '}')
		if end < 0 {
			emit(src[j:], func(k int) pos { return posOf(j + k) })
			break
		}
		end += j + 2
		val := t.subVar(strings.TrimSpace(src[j+2:end]), vars, at)
		emit(val, func(int) pos { return posOf(j) })
		i = end + 1
		if out.Len() > maxString {
			t.fail(at, "!Sub builds a string longer than %d bytes: not evaluated", maxString)
			return unknownAt(render(at), at)
		}
	}
	n := strAt(out.String(), at)
	if srcPos != nil {
		t.texts[n] = outPos
	}
	return n
}

// subVar is the text ${name} stands for.
func (t *template) subVar(name string, vars map[string]*yaml.Node, at *yaml.Node) string {
	var v *yaml.Node
	var expr string
	if vn, ok := vars[name]; ok {
		v, expr = t.resolve(vn), render(vn)
	} else if id, attr, ok := strings.Cut(name, "."); ok {
		v, expr = t.getAtt(id, attr, at), "!GetAtt "+name
	} else {
		if strings.Contains(name, ":") && !strings.HasPrefix(name, "AWS::") && t.params[name] == nil && t.resources[name] == nil {
			// CloudFormation rejects the template; keep the text so the policy still reads as meant.
			t.fail(at, "!Sub: ${%s} names no parameter, resource or pseudo parameter; an IAM policy variable is written ${!%s}", name, name)
			return "${" + name + "}"
		}
		v, expr = t.ref(name, at), "!Ref "+name
	}
	if v == nil {
		return ""
	}
	s, ok := scalar(v)
	if !ok || v.Kind != yaml.ScalarNode {
		t.fail(at, "!Sub: ${%s} is a %s, not a string", name, node.KindName(v))
		return iampolicy.Unknown(expr)
	}
	return s
}

func (t *template) join(arg, at *yaml.Node) *yaml.Node {
	items, ok := t.args(arg, at, "!Join", "[DELIMITER, [VALUE, …]]", 2)
	if !ok {
		return unknownAt(render(at), at)
	}
	delim, ok := scalar(t.resolve(items[0]))
	list := t.resolve(items[1])
	if !ok || iampolicy.HasUnknown(delim) || isUnknownScalar(list) {
		return unknownAt(render(at), at)
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		t.fail(at, "!Join expects [DELIMITER, [VALUE, …]]: the second item is not a list")
		return unknownAt(render(at), at)
	}
	parts := make([]string, 0, len(list.Content))
	size := 0
	for _, it := range list.Content {
		s, ok := scalar(it)
		if !ok || it.Kind != yaml.ScalarNode {
			t.fail(it, "!Join: list items must be strings, not a %s", node.KindName(it))
			return unknownAt(render(at), at)
		}
		size += len(s) + len(delim)
		if size > maxString {
			t.fail(at, "!Join builds a string longer than %d bytes: not evaluated", maxString)
			return unknownAt(render(at), at)
		}
		parts = append(parts, s)
	}
	return strAt(strings.Join(parts, delim), at)
}

func (t *template) selectCall(arg, at *yaml.Node) *yaml.Node {
	items, ok := t.args(arg, at, "!Select", "[INDEX, [VALUE, …]]", 2)
	if !ok {
		return unknownAt(render(at), at)
	}
	idx, ok := scalar(t.resolve(items[0]))
	list := t.resolve(items[1])
	if !ok || iampolicy.HasUnknown(idx) || isUnknownScalar(list) {
		return unknownAt(render(at), at)
	}
	i, err := strconv.Atoi(idx)
	if list == nil || list.Kind != yaml.SequenceNode || err != nil {
		t.fail(at, "!Select expects [INDEX, [VALUE, …]] with an integer index")
		return unknownAt(render(at), at)
	}
	if i < 0 || i >= len(list.Content) {
		t.fail(at, "!Select: index %d is out of range for a list of %d", i, len(list.Content))
		return unknownAt(render(at), at)
	}
	return list.Content[i]
}

func (t *template) split(arg, at *yaml.Node) *yaml.Node {
	items, ok := t.args(arg, at, "!Split", "[DELIMITER, STRING]", 2)
	if !ok {
		return unknownAt(render(at), at)
	}
	delim, ok1 := scalar(t.resolve(items[0]))
	src, ok2 := scalar(t.resolve(items[1]))
	if !ok1 || !ok2 || delim == "" || iampolicy.HasUnknown(delim) || iampolicy.HasUnknown(src) {
		// An unknown part could hold the delimiter: not even the number of items is known.
		return unknownAt(render(at), at)
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: at.Line, Column: at.Column}
	for _, p := range strings.Split(src, delim) {
		seq.Content = append(seq.Content, strAt(p, at))
	}
	return seq
}

// ifCall evaluates !If [CONDITION, THEN, ELSE]: the chosen branch when the condition is
// decidable from parameter defaults, else unknown.
func (t *template) ifCall(arg, at *yaml.Node) *yaml.Node {
	items, ok := t.args(arg, at, "!If", "[CONDITION, VALUE_IF_TRUE, VALUE_IF_FALSE]", 3)
	if !ok {
		return unknownAt(render(at), at)
	}
	name, ok := scalar(items[0])
	if !ok {
		t.fail(items[0], "!If: the first item must be the name of a condition")
		return unknownAt(render(at), at)
	}
	switch t.condition(name, items[0]) {
	case triTrue:
		return t.resolve(items[1])
	case triFalse:
		return t.resolve(items[2])
	}
	return unknownAt(render(at), at)
}

// findInMap evaluates !FindInMap [MAP, TOP_KEY, SECOND_KEY] (and the language extensions'
// fourth item {DefaultValue: V}); the value is positioned at the call.
func (t *template) findInMap(arg, at *yaml.Node) *yaml.Node {
	items, ok := t.args(arg, at, "!FindInMap", "[MAP_NAME, TOP_LEVEL_KEY, SECOND_LEVEL_KEY]", 3, 4)
	if !ok {
		return unknownAt(render(at), at)
	}
	keys := make([]string, 3)
	for i := range keys {
		s, ok := scalar(t.resolve(items[i]))
		if !ok || iampolicy.HasUnknown(s) {
			return unknownAt(render(at), at)
		}
		keys[i] = s
	}
	v := docnode.Get(docnode.Get(docnode.Get(t.mappings, keys[0]), keys[1]), keys[2])
	if v == nil {
		if len(items) == 4 {
			if d := docnode.Get(items[3], "DefaultValue"); d != nil {
				return t.resolve(d)
			}
		}
		t.fail(at, "!FindInMap: Mappings has no %s → %s → %s", keys[0], keys[1], keys[2])
		return unknownAt(render(at), at)
	}
	return reposition(t.resolve(v), at)
}

// condition evaluates the named condition of the Conditions section, once.
func (t *template) condition(name string, at *yaml.Node) tri {
	if v, ok := t.condMemo[name]; ok {
		return v
	}
	def, ok := t.conditions[name]
	if !ok {
		t.fail(at, "no condition named %s in the Conditions section", name)
		return triUnknown
	}
	key := "\x00condition " + name
	if t.busy[key] {
		t.fail(def, "condition %s refers to itself", name)
		return triUnknown
	}
	t.busy[key] = true
	v := t.condExpr(def)
	delete(t.busy, key)
	t.condMemo[name] = v
	return v
}

// condExpr evaluates a condition function (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html).
func (t *template) condExpr(n *yaml.Node) tri {
	n = docnode.Resolve(n)
	if n == nil {
		return triUnknown
	}
	t.depth++
	defer func() { t.depth-- }()
	if !t.spend(n) {
		return triUnknown
	}
	name, arg, ok := intrinsic(n, true)
	if !ok {
		t.fail(n, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
		return triUnknown
	}
	switch name {
	case "Fn::Equals":
		items, ok := t.args(arg, n, "!Equals", "[VALUE_1, VALUE_2]", 2)
		if !ok {
			return triUnknown
		}
		a, b := t.resolve(items[0]), t.resolve(items[1])
		if a == nil || b == nil || hasUnknown(a) || hasUnknown(b) {
			return triUnknown
		}
		return triOf(equal(a, b))
	case "Fn::And", "Fn::Or":
		items := docnode.Items(arg)
		if arg.Kind != yaml.SequenceNode || len(items) == 0 {
			t.fail(n, "%s expects a list of conditions", strings.TrimPrefix(name, "Fn::"))
			return triUnknown
		}
		decisive, other := triFalse, triTrue // And: one false decides
		if name == "Fn::Or" {
			decisive, other = triTrue, triFalse
		}
		out := other
		for _, it := range items {
			switch t.condExpr(it) {
			case decisive:
				return decisive
			case triUnknown:
				out = triUnknown
			}
		}
		return out
	case "Fn::Not":
		items, ok := t.args(arg, n, "!Not", "[CONDITION]", 1)
		if !ok {
			return triUnknown
		}
		switch t.condExpr(items[0]) {
		case triTrue:
			return triFalse
		case triFalse:
			return triTrue
		}
		return triUnknown
	case "Condition":
		s, ok := scalar(arg)
		if !ok {
			t.fail(n, "Condition takes the name of a condition")
			return triUnknown
		}
		return t.condition(s, n)
	}
	t.fail(n, "%s is not a condition function: expected Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition", name)
	return triUnknown
}

// equal compares two evaluated values as CloudFormation does: strings by text, lists item by item.
func equal(a, b *yaml.Node) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case yaml.ScalarNode:
		return a.Value == b.Value
	case yaml.SequenceNode, yaml.MappingNode:
		if len(a.Content) != len(b.Content) {
			return false
		}
		for i := range a.Content {
			if !equal(a.Content[i], b.Content[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// hasUnknown reports whether any scalar under n holds an unknown value.
func hasUnknown(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode {
		return iampolicy.HasUnknown(n.Value)
	}
	for _, c := range n.Content {
		if hasUnknown(c) {
			return true
		}
	}
	return false
}

// isUnknownScalar reports whether n is a scalar standing for an unknown value (a list, say,
// known only after deployment).
func isUnknownScalar(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && iampolicy.HasUnknown(n.Value)
}

// reposition returns a copy of n with every node at at: a value defined elsewhere (a parameter
// default, a mapping entry) is located where it is used.
func reposition(n *yaml.Node, at *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Line, c.Column = at.Line, at.Column
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = reposition(ch, at)
	}
	return &c
}
