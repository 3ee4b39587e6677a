// Package gen writes a synthetic AWS account and EKS clusters in the native formats users hand
// rolecall (IAM and EKS CLI output, Kubernetes manifests, aws-auth), with a realistic mix of
// roles and a few planted mistakes whose finding counts are known: the benchmarks' inputs and
// the test that the scan finds exactly what was planted.
package gen

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Spec sizes a generated environment. Zero fields take the defaults of WithDefaults.
type Spec struct {
	Roles           int // every role of the account, fixed and planted ones included
	ServiceAccounts int // default 4 × Roles
	Users           int // default max(10, Roles/20)
	Clusters        int // default 3
	// Mistakes is how many of each planted mistake to write (default 3). Counts do not grow with
	// Roles: a wildcard trust is reachable from every ServiceAccount of its cluster, so planting
	// more with size would make the inputs, not the analysis, quadratic.
	Mistakes int
	Seed     uint64
}

// WithDefaults fills the zero fields.
func (s Spec) WithDefaults() Spec {
	s.ServiceAccounts = cmp.Or(s.ServiceAccounts, 4*s.Roles)
	s.Users = cmp.Or(s.Users, max(10, s.Roles/20))
	s.Clusters = cmp.Or(s.Clusters, 3)
	s.Mistakes = cmp.Or(s.Mistakes, 3)
	return s
}

// Planted maps a rule ID to the exact number of findings of that rule the inputs produce.
// Rules not listed may fire too (the natural mix has info and low findings); a planted
// mistake may also trigger other rules.
type Planted map[string]int

// PlantedFile is the name of the file, in the output folder, holding the Planted counts.
const PlantedFile = "planted.json"

// Account is the generated account's id.
const Account = "111122223333"

const (
	saPerNamespace = 40 // ServiceAccounts per namespace, which sets the namespaces per cluster
	platformNS     = "platform"
	githubHost     = "token.actions.githubusercontent.com"
	stsAudience    = "sts.amazonaws.com"
	createDate     = "2025-01-01T00:00:00+00:00"
)

var (
	teamWords = []string{"payments", "search", "checkout", "billing", "catalog", "orders", "identity",
		"ledger", "media", "notify", "reports", "shipping", "analytics", "fraud", "pricing", "stock",
		"support", "growth", "ads", "mobile", "web", "data", "ml", "risk"}
	appWords  = []string{"api", "worker", "cron", "consumer", "gateway", "sync", "exporter", "indexer", "scheduler", "web"}
	regions   = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "eu-central-1"}
	envWords  = []string{"prod", "staging", "dev"}
	readPols  = []string{"AmazonS3ReadOnlyAccess", "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess", "CloudWatchAgentServerPolicy", "SecretsManagerReadWrite"}
	svcKinds  = []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"}
	svcPolicy = map[string]string{"ec2.amazonaws.com": "AmazonSSMManagedInstanceCore", "lambda.amazonaws.com": "AWSLambdaBasicExecutionRole", "ecs-tasks.amazonaws.com": "AmazonECSTaskExecutionRolePolicy"}
)

type cluster struct {
	name, region, oidcID string
	namespaces           []string
}

func (c cluster) issuerHost() string {
	return "oidc.eks." + c.region + ".amazonaws.com/id/" + c.oidcID
}

type serviceAccount struct {
	cluster   int
	namespace string
	name      string
	roleARN   string // eks.amazonaws.com/role-arn, "" for none
}

type authMapping struct {
	roleARN, username string
	groups            []string
}

type accessEntry struct {
	cluster   int
	principal string // role name
	policy    string // access policy name
	scope     string // cluster or namespace
	namespace string
}

type podAssociation struct {
	sa      int
	roleARN string
}

// env is the environment being generated, kept as plain values until written.
type env struct {
	spec     Spec
	rng      *rand.Rand
	clusters []cluster
	sas      []serviceAccount
	free     []int // regular ServiceAccounts not yet bound to a role, in random order
	roles    []roleDetail
	users    []userDetail
	groups   []groupDetail
	policies []managedPolicy
	teams    []string
	auth     [][]authMapping // per cluster
	entries  []accessEntry
	pods     []podAssociation
	planted  Planted
}

// Write generates the environment described by spec into dir (created if missing) and
// returns the planted counts, also written to dir/planted.json.
func Write(dir string, spec Spec) (Planted, error) {
	spec = spec.WithDefaults()
	e, err := generate(spec)
	if err != nil {
		return nil, err
	}
	if err := e.write(dir); err != nil {
		return nil, err
	}
	return e.planted, nil
}

// fixedRoles are the roles every environment has: a node role and a platform-admin role per
// cluster, and one break-glass administrator.
func fixedRoles(s Spec) int { return 2*s.Clusters + 1 }

// plantedRoles is the number of roles the planted mistakes take.
func plantedRoles(s Spec) int { return 9 * s.Mistakes }

func generate(spec Spec) (*env, error) {
	switch {
	case spec.Roles < 0 || spec.ServiceAccounts < 0 || spec.Users < 0 || spec.Clusters < 1 || spec.Mistakes < 1:
		return nil, fmt.Errorf("generate %+v: sizes must be positive", spec)
	case spec.Roles < fixedRoles(spec)+plantedRoles(spec):
		return nil, fmt.Errorf("generate: %d roles is too few: the fixed and planted roles alone are %d", spec.Roles, fixedRoles(spec)+plantedRoles(spec))
	case spec.ServiceAccounts < 6*spec.Mistakes:
		return nil, fmt.Errorf("generate: %d ServiceAccounts is too few: the planted mistakes alone need %d", spec.ServiceAccounts, 6*spec.Mistakes)
	}
	e := &env{spec: spec, rng: rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15)), planted: Planted{}}
	e.layout()
	e.identities()
	e.plant()
	e.natural()
	slices.SortFunc(e.roles, func(a, b roleDetail) int { return strings.Compare(a.RoleName, b.RoleName) })
	return e, nil
}

// layout creates the clusters, their namespaces and the ServiceAccounts: regular ones spread
// round-robin over the clusters' namespaces, and 2×Mistakes in the platform namespaces, where
// no team RBAC reaches them (so the escalations planted there have exact counts).
func (e *env) layout() {
	s := e.spec
	platform := 2 * s.Mistakes
	regular := s.ServiceAccounts - platform
	perCluster := (regular + s.Clusters - 1) / s.Clusters
	nsPer := max(1, (perCluster+saPerNamespace-1)/saPerNamespace)
	for c := range s.Clusters {
		cl := cluster{
			name:   fmt.Sprintf("%s-%02d", envWords[c%len(envWords)], c),
			region: regions[c%len(regions)],
			oidcID: e.hex(32),
		}
		for j := range nsPer {
			cl.namespaces = append(cl.namespaces, fmt.Sprintf("%s-%02d", teamWords[j%len(teamWords)], j/len(teamWords)))
		}
		e.clusters = append(e.clusters, cl)
	}
	for i := range regular {
		c := i % s.Clusters
		ns := e.clusters[c].namespaces[(i/s.Clusters)%nsPer]
		e.sas = append(e.sas, serviceAccount{cluster: c, namespace: ns, name: fmt.Sprintf("%s-%05d", appWords[e.rng.IntN(len(appWords))], i)})
	}
	e.free = e.rng.Perm(regular)
	e.auth = make([][]authMapping, s.Clusters)
}

// takeSA binds the next free regular ServiceAccount; ok is false when none is left.
func (e *env) takeSA() (int, bool) {
	if len(e.free) == 0 {
		return 0, false
	}
	i := e.free[0]
	e.free = e.free[1:]
	return i, true
}

// platformSA adds a ServiceAccount in the platform namespace of cluster c.
func (e *env) platformSA(c int, name string) int {
	e.sas = append(e.sas, serviceAccount{cluster: c, namespace: platformNS, name: name})
	return len(e.sas) - 1
}

// identities creates the users, their groups and policies, and the fixed roles.
func (e *env) identities() {
	s := e.spec
	nTeams := max(1, s.Users/5)
	for t := range nTeams {
		e.teams = append(e.teams, fmt.Sprintf("%s-%02d", teamWords[t%len(teamWords)], t/len(teamWords)))
	}
	base := managedPolicy{PolicyName: "developer-base", PolicyId: e.id("ANPA"), Arn: policyARN("developer-base"), Path: "/",
		DefaultVersionId: "v3", AttachmentCount: nTeams, IsAttachable: true, CreateDate: createDate, UpdateDate: createDate}
	for v := 3; v >= 1; v-- {
		base.PolicyVersionList = append(base.PolicyVersionList, policyVersion{VersionId: fmt.Sprintf("v%d", v), IsDefaultVersion: v == 3, CreateDate: createDate,
			Document: doc(statement{Effect: "Allow", Action: []string{"iam:GetUser", "iam:ListMFADevices", "iam:ChangePassword"}, Resource: "arn:aws:iam::" + Account + ":user/${aws:username}"})})
	}
	e.policies = append(e.policies, base)
	for _, t := range e.teams {
		e.groups = append(e.groups, groupDetail{Path: "/", GroupName: "team-" + t, GroupId: e.id("AGPA"), Arn: groupARN("team-" + t), CreateDate: createDate,
			GroupPolicyList:         []inlinePolicy{{PolicyName: "assume-ops", PolicyDocument: doc(statement{Effect: "Allow", Action: "sts:AssumeRole", Resource: roleARN("ops-" + t + "-*")})}},
			AttachedManagedPolicies: []attachedPolicy{{PolicyName: "developer-base", PolicyArn: policyARN("developer-base")}}})
	}
	e.groups = append(e.groups, groupDetail{Path: "/", GroupName: "platform", GroupId: e.id("AGPA"), Arn: groupARN("platform"), CreateDate: createDate,
		GroupPolicyList:         []inlinePolicy{{PolicyName: "assume-platform-admin", PolicyDocument: doc(statement{Effect: "Allow", Action: "sts:AssumeRole", Resource: roleARN("platform-admin-*")})}},
		AttachedManagedPolicies: []attachedPolicy{}})
	for j := range s.Users {
		name := fmt.Sprintf("user-%04d", j)
		groups := []string{"team-" + e.teams[j%nTeams]}
		if j%10 == 0 {
			groups = append(groups, "platform")
		}
		u := userDetail{Path: "/", UserName: name, UserId: e.id("AIDA"), Arn: userARN(name), CreateDate: createDate,
			UserPolicyList: []inlinePolicy{}, GroupList: groups, AttachedManagedPolicies: []attachedPolicy{}, Tags: []tag{}}
		if j%5 == 1 {
			u.UserPolicyList = append(u.UserPolicyList, inlinePolicy{PolicyName: "read-artifacts", PolicyDocument: doc(statement{Effect: "Allow",
				Action: []string{"s3:GetObject", "s3:ListBucket"}, Resource: []string{"arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"}})})
		}
		e.users = append(e.users, u)
	}

	for c, cl := range e.clusters {
		node := "eks-node-" + cl.name
		r := e.role(node, doc(statement{Effect: "Allow", Principal: map[string]any{"Service": "ec2.amazonaws.com"}, Action: "sts:AssumeRole"}),
			"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy")
		r.InstanceProfileList = []instanceProfile{e.instanceProfile(r)}
		e.roles = append(e.roles, r)
		e.auth[c] = append(e.auth[c], authMapping{roleARN: roleARN(node), username: "system:node:{{EC2PrivateDNSName}}", groups: []string{"system:bootstrappers", "system:nodes"}})
		admin := "platform-admin-" + cl.name
		e.roles = append(e.roles, e.role(admin, doc(statement{Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + Account + ":root"}, Action: "sts:AssumeRole",
			Condition: map[string]map[string]any{"Bool": {"aws:MultiFactorAuthPresent": "true"}}}), "ReadOnlyAccess"))
		e.auth[c] = append(e.auth[c], authMapping{roleARN: roleARN(admin), username: admin + ":{{SessionName}}", groups: []string{"platform-admins"}})
	}
	e.roles = append(e.roles, e.role("breakglass-admin", doc(statement{Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + Account + ":root"}, Action: "sts:AssumeRole",
		Condition: map[string]map[string]any{"Bool": {"aws:MultiFactorAuthPresent": "true"}}}), "AdministratorAccess"))
}

// plant writes Mistakes of each planted mistake and records the findings each must produce.
func (e *env) plant() {
	s := e.spec
	k := s.Mistakes
	for m := range k {
		c := m % s.Clusters
		cl := e.clusters[c]
		host := cl.issuerHost()

		// RC001: any AWS principal may assume the role.
		e.roles = append(e.roles, e.role(fmt.Sprintf("vendor-audit-%02d", m),
			doc(statement{Effect: "Allow", Principal: map[string]any{"AWS": "*"}, Action: "sts:AssumeRole"}), "SecurityAudit"))
		// RC005: every STS action.
		e.roles = append(e.roles, e.role(fmt.Sprintf("legacy-batch-%02d", m),
			doc(statement{Effect: "Allow", Principal: map[string]any{"Service": "lambda.amazonaws.com"}, Action: "sts:*"}), "AWSLambdaBasicExecutionRole"))
		// RC101: IRSA with no :sub condition.
		sa, _ := e.takeSA()
		e.irsaRole(sa, doc(statement{Effect: "Allow", Principal: map[string]any{"Federated": providerARN(host)}, Action: "sts:AssumeRoleWithWebIdentity",
			Condition: map[string]map[string]any{"StringEquals": {host + ":aud": stsAudience}}}), "AmazonS3ReadOnlyAccess")
		// RC102: the :sub pattern admits the name in any namespace.
		sa, _ = e.takeSA()
		e.irsaRole(sa, doc(statement{Effect: "Allow", Principal: map[string]any{"Federated": providerARN(host)}, Action: "sts:AssumeRoleWithWebIdentity",
			Condition: map[string]map[string]any{"StringEquals": {host + ":aud": stsAudience}, "StringLike": {host + ":sub": "system:serviceaccount:*:" + e.sas[sa].name}}}), "AmazonS3ReadOnlyAccess")
		// RC151: GitHub Actions OIDC with no :sub condition.
		e.roles = append(e.roles, e.role(fmt.Sprintf("gha-deploy-%02d", m), doc(statement{Effect: "Allow", Principal: map[string]any{"Federated": providerARN(githubHost)},
			Action: "sts:AssumeRoleWithWebIdentity", Condition: map[string]map[string]any{"StringEquals": {githubHost + ":aud": stsAudience}}}), "AmazonEC2ContainerRegistryPowerUser"))
		// RC201: Pod Identity without sts:TagSession.
		sa, _ = e.takeSA()
		e.podRole(sa, doc(statement{Effect: "Allow", Principal: map[string]any{"Service": "pods.eks.amazonaws.com"}, Action: "sts:AssumeRole"}))
		// RC302: a ServiceAccount annotated with a role that does not exist.
		sa, _ = e.takeSA()
		e.sas[sa].roleARN = roleARN(e.sas[sa].namespace + "-" + e.sas[sa].name)
		// RC401 and RC501: a workload mapped to system:masters in the first cluster. Its
		// ServiceAccount is alone in reaching cluster-admin: the platform namespace has no team RBAC.
		sa = e.platformSA(0, fmt.Sprintf("admin-operator-%02d", m))
		e.exactIRSA(sa, "AmazonEKSClusterPolicy")
		e.auth[0] = append(e.auth[0], authMapping{roleARN: e.sas[sa].roleARN, username: e.sas[sa].name, groups: []string{"system:masters"}})
		// RC505: a workload that may assume the break-glass administrator, in the last cluster (so
		// the system:masters workloads above, which may run pods as any ServiceAccount of theirs,
		// do not reach it).
		last := s.Clusters - 1
		sa = e.platformSA(last, fmt.Sprintf("breakglass-runner-%02d", m))
		r := e.exactIRSA(sa, "AmazonS3ReadOnlyAccess")
		r.RolePolicyList = append(r.RolePolicyList, inlinePolicy{PolicyName: "assume-breakglass",
			PolicyDocument: doc(statement{Effect: "Allow", Action: "sts:AssumeRole", Resource: roleARN("breakglass-admin")})})
		// RC420: an access entry with cluster-admin at cluster scope.
		admin := fmt.Sprintf("eks-admin-%s-%02d", cl.name, m)
		e.roles = append(e.roles, e.role(admin, doc(statement{Effect: "Allow", Principal: map[string]any{"AWS": "arn:aws:iam::" + Account + ":root"}, Action: "sts:AssumeRole"}), "AmazonEKSClusterPolicy"))
		e.entries = append(e.entries, accessEntry{cluster: c, principal: admin, policy: "AmazonEKSClusterAdminPolicy", scope: "cluster"})
	}
	for _, id := range []string{"RC001", "RC005", "RC101", "RC102", "RC151", "RC201", "RC302", "RC401", "RC420", "RC501"} {
		e.planted[id] = k
	}
	if s.Clusters > 1 {
		e.planted["RC505"] = k
	}
}

// natural fills the remaining roles with the usual mix: most IRSA or Pod Identity, some
// assumable by the account's users, some for AWS services, some for GitHub Actions.
func (e *env) natural() {
	for len(e.roles) < e.spec.Roles {
		p := e.rng.IntN(100)
		switch {
		case p < 55:
			if sa, ok := e.takeSA(); ok {
				r := e.exactIRSA(sa, readPols[e.rng.IntN(len(readPols))])
				if e.rng.IntN(20) == 0 { // a CI workload mapped to its namespace's deployers
					c := e.sas[sa].cluster
					e.auth[c] = append(e.auth[c], authMapping{roleARN: r.Arn, username: r.RoleName, groups: []string{"team-" + e.sas[sa].namespace}})
				}
				continue
			}
		case p < 75:
			if sa, ok := e.takeSA(); ok {
				st := statement{Effect: "Allow", Principal: map[string]any{"Service": "pods.eks.amazonaws.com"}, Action: []string{"sts:AssumeRole", "sts:TagSession"}}
				if e.rng.IntN(2) == 0 {
					st.Condition = map[string]map[string]any{"StringEquals": {"aws:SourceAccount": Account}}
				}
				e.podRole(sa, doc(st))
				continue
			}
		case p < 83:
			e.opsRole()
			continue
		case p < 95:
			e.serviceRole()
			continue
		default:
			e.githubRole()
			continue
		}
		e.serviceRole() // no ServiceAccount left for a workload
	}
}

func (e *env) opsRole() {
	t := e.rng.IntN(len(e.teams))
	name := fmt.Sprintf("ops-%s-%05d", e.teams[t], len(e.roles))
	st := statement{Effect: "Allow", Action: "sts:AssumeRole"}
	switch e.rng.IntN(10) {
	case 0, 1, 2: // the team's users by name
		var users []string
		for j := t; j < len(e.users); j += len(e.teams) {
			users = append(users, e.users[j].Arn)
		}
		if len(users) == 0 {
			users = []string{e.users[0].Arn}
		}
		st.Principal = map[string]any{"AWS": users}
	case 3, 4, 5, 6:
		st.Principal = map[string]any{"AWS": "arn:aws:iam::" + Account + ":root"}
		st.Condition = map[string]map[string]any{"Bool": {"aws:MultiFactorAuthPresent": "true"}}
	default:
		st.Principal = map[string]any{"AWS": "arn:aws:iam::" + Account + ":root"}
	}
	r := e.role(name, doc(st), []string{"ReadOnlyAccess", "ViewOnlyAccess", "AmazonRDSReadOnlyAccess"}[e.rng.IntN(3)])
	e.roles = append(e.roles, r)
	if e.rng.IntN(5) == 0 { // an access entry with a namespaced view policy
		c := e.rng.IntN(len(e.clusters))
		ns := e.clusters[c].namespaces[e.rng.IntN(len(e.clusters[c].namespaces))]
		e.entries = append(e.entries, accessEntry{cluster: c, principal: name, policy: "AmazonEKSViewPolicy", scope: "namespace", namespace: ns})
	}
}

func (e *env) serviceRole() {
	svc := svcKinds[e.rng.IntN(len(svcKinds))]
	name := fmt.Sprintf("svc-%s-%05d", strings.TrimSuffix(svc, ".amazonaws.com"), len(e.roles))
	r := e.role(name, doc(statement{Effect: "Allow", Principal: map[string]any{"Service": svc}, Action: "sts:AssumeRole"}), svcPolicy[svc])
	if svc == "ec2.amazonaws.com" {
		r.InstanceProfileList = []instanceProfile{e.instanceProfile(r)}
	}
	e.roles = append(e.roles, r)
}

func (e *env) githubRole() {
	repo := fmt.Sprintf("acme/%s-%05d", teamWords[e.rng.IntN(len(teamWords))], len(e.roles))
	sub := "repo:" + repo + ":ref:refs/heads/main"
	if e.rng.IntN(3) == 0 {
		sub = "repo:" + repo + ":environment:production"
	}
	e.roles = append(e.roles, e.role("gha-"+strings.ReplaceAll(repo, "/", "-"), doc(statement{Effect: "Allow",
		Principal: map[string]any{"Federated": providerARN(githubHost)}, Action: "sts:AssumeRoleWithWebIdentity",
		Condition: map[string]map[string]any{"StringEquals": {githubHost + ":aud": stsAudience, githubHost + ":sub": sub}}}), "AmazonEC2ContainerRegistryPowerUser"))
}

// exactIRSA adds the role of ServiceAccount sa, trusting exactly it, and annotates sa.
func (e *env) exactIRSA(sa int, policy string) *roleDetail {
	a := e.sas[sa]
	host := e.clusters[a.cluster].issuerHost()
	return e.irsaRole(sa, doc(statement{Effect: "Allow", Principal: map[string]any{"Federated": providerARN(host)}, Action: "sts:AssumeRoleWithWebIdentity",
		Condition: map[string]map[string]any{"StringEquals": {host + ":sub": "system:serviceaccount:" + a.namespace + ":" + a.name, host + ":aud": stsAudience}}}), policy)
}

// irsaRole adds a role named after ServiceAccount sa with the given trust, and annotates sa.
func (e *env) irsaRole(sa int, trust policyDoc, policy string) *roleDetail {
	a := &e.sas[sa]
	r := e.role(a.namespace+"-"+a.name, trust, policy)
	a.roleARN = r.Arn
	e.roles = append(e.roles, r)
	return &e.roles[len(e.roles)-1]
}

// podRole adds a role for ServiceAccount sa and its Pod Identity association.
func (e *env) podRole(sa int, trust policyDoc) {
	a := e.sas[sa]
	r := e.role(a.namespace+"-"+a.name, trust, readPols[e.rng.IntN(len(readPols))])
	e.roles = append(e.roles, r)
	e.pods = append(e.pods, podAssociation{sa: sa, roleARN: r.Arn})
}

func (e *env) role(name string, trust policyDoc, policies ...string) roleDetail {
	r := roleDetail{Path: "/", RoleName: name, RoleId: e.id("AROA"), Arn: roleARN(name), CreateDate: createDate,
		AssumeRolePolicyDocument: trust, InstanceProfileList: []instanceProfile{}, RolePolicyList: []inlinePolicy{},
		AttachedManagedPolicies: []attachedPolicy{}, Tags: []tag{}, RoleLastUsed: map[string]string{}}
	for _, p := range policies {
		r.AttachedManagedPolicies = append(r.AttachedManagedPolicies, attachedPolicy{PolicyName: p, PolicyArn: "arn:aws:iam::aws:policy/" + p})
	}
	if e.rng.IntN(4) == 0 {
		r.Tags = append(r.Tags, tag{Key: "team", Value: teamWords[e.rng.IntN(len(teamWords))]})
	}
	return r
}

func (e *env) instanceProfile(r roleDetail) instanceProfile {
	inner := profileRole{Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: r.CreateDate, AssumeRolePolicyDocument: r.AssumeRolePolicyDocument}
	return instanceProfile{Path: "/", InstanceProfileName: r.RoleName, InstanceProfileId: e.id("AIPA"),
		Arn: "arn:aws:iam::" + Account + ":instance-profile/" + r.RoleName, CreateDate: createDate, Roles: []profileRole{inner}}
}

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// id is a unique IAM id with the given prefix (21 characters, as AWS's).
func (e *env) id(prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < 21 {
		b.WriteByte(idChars[e.rng.IntN(len(idChars))])
	}
	return b.String()
}

func (e *env) hex(n int) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[e.rng.IntN(len(digits))]
	}
	return string(b)
}

func roleARN(name string) string     { return "arn:aws:iam::" + Account + ":role/" + name }
func userARN(name string) string     { return "arn:aws:iam::" + Account + ":user/" + name }
func groupARN(name string) string    { return "arn:aws:iam::" + Account + ":group/" + name }
func policyARN(name string) string   { return "arn:aws:iam::" + Account + ":policy/" + name }
func providerARN(host string) string { return "arn:aws:iam::" + Account + ":oidc-provider/" + host }

func doc(stmts ...statement) policyDoc { return policyDoc{Version: "2012-10-17", Statement: stmts} }

// writeJSON writes v as the AWS CLI prints it (four-space indent, trailing newline).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return writeFile(path, append(b, '\n'))
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
