package livetest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The real AWS CLI (botocore's EKS model and REST-JSON parser) calls each operation of the fake.
// The CLI is lenient — a misnamed member just goes missing with exit 0 — so every test asserts
// on parsed values, not on the exit code alone.

// awsCLI runs `aws ARGS --endpoint-url URL --region us-east-1 --output json` with static
// credentials and no profile, and returns stdout, stderr and the run error. Its config file
// asks for ISO 8601 timestamps: CLI v1 otherwise prints the wire value unparsed.
func awsCLI(t *testing.T, url string, maxAttempts string, args ...string) ([]byte, string, error) {
	t.Helper()
	bin := NeedTool(t, "aws")
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[default]\ncli_timestamp_format = iso8601\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, "--endpoint-url", url, "--region", Region, "--output", "json")
	cmd := exec.Command(bin, args...)
	// Keep the rest of the environment (pyenv's shim needs it) but none of the caller's AWS_*.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_ACCESS_KEY_ID="+AccessKeyID, "AWS_SECRET_ACCESS_KEY="+SecretAccessKey,
		"AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "AWS_MAX_ATTEMPTS="+maxAttempts, "AWS_RETRY_MODE=standard")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

// cliJSON runs the CLI, fails the test unless it succeeds, and decodes its output into v.
func cliJSON(t *testing.T, url string, v any, args ...string) {
	t.Helper()
	out, stderr, err := awsCLI(t, url, "1", args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestFakeEKSWithAWSCLI(t *testing.T) {
	NeedTool(t, "aws")
	f := StartFakeEKS(t, "")
	appID, crossID := seed(f)
	f.SetPageSize(1)

	t.Run("ListAccessEntries", func(t *testing.T) {
		t.Parallel()
		var all struct {
			AccessEntries []string `json:"accessEntries"`
		}
		// The CLI follows nextToken itself: page size 1, three entries.
		cliJSON(t, f.URL, &all, "eks", "list-access-entries", "--cluster-name", "prod")
		if diff := cmp.Diff([]string{roleAdmin, rolePathed, userAlice}, all.AccessEntries); diff != "" {
			t.Errorf("all pages (-want +got):\n%s", diff)
		}
		var page struct {
			AccessEntries []string `json:"accessEntries"`
			NextToken     string   `json:"nextToken"`
		}
		cliJSON(t, f.URL, &page, "eks", "list-access-entries", "--cluster-name", "prod", "--no-paginate")
		if !cmp.Equal(page.AccessEntries, []string{roleAdmin}) || page.NextToken == "" {
			t.Errorf("one page: %+v, want the first entry and a nextToken", page)
		}
		var filtered struct {
			AccessEntries []string `json:"accessEntries"`
		}
		cliJSON(t, f.URL, &filtered, "eks", "list-access-entries", "--cluster-name", "prod",
			"--associated-policy-arn", policyAdmin)
		if !cmp.Equal(filtered.AccessEntries, []string{roleAdmin}) {
			t.Errorf("--associated-policy-arn: %v", filtered.AccessEntries)
		}
	})

	t.Run("ListAccessEntries/StartingToken", func(t *testing.T) {
		t.Parallel()
		var first struct {
			AccessEntries []string `json:"accessEntries"`
			NextToken     string   `json:"NextToken"` // the CLI's own resumption token
		}
		cliJSON(t, f.URL, &first, "eks", "list-access-entries", "--cluster-name", "prod", "--max-items", "2")
		if !cmp.Equal(first.AccessEntries, []string{roleAdmin, rolePathed}) || first.NextToken == "" {
			t.Fatalf("--max-items 2: %+v", first)
		}
		var rest struct {
			AccessEntries []string `json:"accessEntries"`
		}
		cliJSON(t, f.URL, &rest, "eks", "list-access-entries", "--cluster-name", "prod", "--starting-token", first.NextToken)
		if !cmp.Equal(rest.AccessEntries, []string{userAlice}) {
			t.Errorf("--starting-token: %v", rest.AccessEntries)
		}
	})

	t.Run("DescribeAccessEntry", func(t *testing.T) {
		t.Parallel()
		var out struct {
			AccessEntry struct {
				ClusterName      string            `json:"clusterName"`
				PrincipalArn     string            `json:"principalArn"`
				KubernetesGroups []string          `json:"kubernetesGroups"`
				AccessEntryArn   string            `json:"accessEntryArn"`
				CreatedAt        string            `json:"createdAt"`
				ModifiedAt       string            `json:"modifiedAt"`
				Tags             map[string]string `json:"tags"`
				Username         string            `json:"username"`
				Type             string            `json:"type"`
			} `json:"accessEntry"`
		}
		// A role ARN with a path: its slashes travel URL-encoded in the request path.
		cliJSON(t, f.URL, &out, "eks", "describe-access-entry", "--cluster-name", "prod", "--principal-arn", rolePathed)
		e := out.AccessEntry
		if e.PrincipalArn != rolePathed || e.ClusterName != "prod" || e.Username != "deployer" || e.Type != "STANDARD" ||
			!cmp.Equal(e.KubernetesGroups, []string{"deployers", "viewers"}) || e.Tags["team"] != "a" ||
			!strings.HasPrefix(e.AccessEntryArn, "arn:aws:eks:us-east-1:123456789012:access-entry/prod/role/123456789012/deployer/") {
			t.Errorf("describe-access-entry = %+v", e)
		}
		// The CLI turns epoch seconds into ISO 8601: proof the timestamp type is right.
		if !strings.HasPrefix(e.CreatedAt, "2024-05-01T12:00:00.5") || !strings.HasPrefix(e.ModifiedAt, "2024-05-02T12:00:00.25") {
			t.Errorf("createdAt %q modifiedAt %q", e.CreatedAt, e.ModifiedAt)
		}
	})

	t.Run("ListAssociatedAccessPolicies", func(t *testing.T) {
		t.Parallel()
		var out struct {
			ClusterName              string `json:"clusterName"`
			PrincipalArn             string `json:"principalArn"`
			AssociatedAccessPolicies []struct {
				PolicyArn   string `json:"policyArn"`
				AccessScope struct {
					Type       string   `json:"type"`
					Namespaces []string `json:"namespaces"`
				} `json:"accessScope"`
				AssociatedAt string `json:"associatedAt"`
				ModifiedAt   string `json:"modifiedAt"`
			} `json:"associatedAccessPolicies"`
		}
		cliJSON(t, f.URL, &out, "eks", "list-associated-access-policies", "--cluster-name", "prod", "--principal-arn", rolePathed)
		if out.ClusterName != "prod" || out.PrincipalArn != rolePathed || len(out.AssociatedAccessPolicies) != 2 {
			t.Fatalf("list-associated-access-policies = %+v", out)
		}
		p := out.AssociatedAccessPolicies[0]
		if p.PolicyArn != policyEdit || p.AccessScope.Type != "namespace" ||
			!cmp.Equal(p.AccessScope.Namespaces, []string{"dev-*", "staging"}) || !strings.HasPrefix(p.AssociatedAt, "2024-05-01T") {
			t.Errorf("policy 0 = %+v", p)
		}
		if q := out.AssociatedAccessPolicies[1]; q.PolicyArn != policyView || q.AccessScope.Type != "cluster" {
			t.Errorf("policy 1 = %+v", q)
		}
	})

	t.Run("ListPodIdentityAssociations", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Associations []map[string]any `json:"associations"`
		}
		cliJSON(t, f.URL, &out, "eks", "list-pod-identity-associations", "--cluster-name", "prod")
		if len(out.Associations) != 3 {
			t.Fatalf("%d associations, want 3 (all pages)", len(out.Associations))
		}
		for _, a := range out.Associations {
			if _, ok := a["roleArn"]; ok {
				t.Errorf("summary has roleArn: %v", a)
			}
		}
		want := map[string]any{"clusterName": "prod", "namespace": "apps", "serviceAccount": "web",
			"associationId": appID, "associationArn": "arn:aws:eks:us-east-1:123456789012:podidentityassociation/prod/" + appID}
		if diff := cmp.Diff(want, out.Associations[0]); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if out.Associations[2]["ownerArn"] == nil {
			t.Errorf("add-on association without ownerArn: %v", out.Associations[2])
		}
		var ns struct {
			Associations []map[string]any `json:"associations"`
		}
		cliJSON(t, f.URL, &ns, "eks", "list-pod-identity-associations", "--cluster-name", "prod",
			"--namespace", "apps", "--service-account", "sync")
		if len(ns.Associations) != 1 || ns.Associations[0]["associationId"] != crossID {
			t.Errorf("--namespace/--service-account: %v", ns.Associations)
		}
	})

	t.Run("DescribePodIdentityAssociation", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Association map[string]any `json:"association"`
		}
		cliJSON(t, f.URL, &out, "eks", "describe-pod-identity-association", "--cluster-name", "prod", "--association-id", crossID)
		a := out.Association
		for k, want := range map[string]any{"roleArn": roleApp, "targetRoleArn": roleTarget, "disableSessionTags": true,
			"namespace": "apps", "serviceAccount": "sync", "associationId": crossID, "tags": map[string]any{"k": "v"}} {
			if !cmp.Equal(a[k], want) {
				t.Errorf("%s = %v, want %v", k, a[k], want)
			}
		}
		if id, _ := a["externalId"].(string); len(id) != 36 {
			t.Errorf("externalId = %v", a["externalId"])
		}
		var plain struct {
			Association map[string]any `json:"association"`
		}
		cliJSON(t, f.URL, &plain, "eks", "describe-pod-identity-association", "--cluster-name", "prod", "--association-id", appID)
		if plain.Association["roleArn"] != roleApp || plain.Association["disableSessionTags"] != false ||
			plain.Association["externalId"] != nil || plain.Association["targetRoleArn"] != nil {
			t.Errorf("plain association = %v", plain.Association)
		}
	})

	t.Run("UnknownCluster", func(t *testing.T) {
		t.Parallel()
		out, stderr, err := awsCLI(t, f.URL, "1", "eks", "list-access-entries", "--cluster-name", "nope")
		if err == nil || !strings.Contains(stderr, "ResourceNotFoundException") || !strings.Contains(stderr, "No cluster found for name: nope.") {
			t.Errorf("unknown cluster: err %v, stdout %s, stderr %s", err, out, stderr)
		}
	})
}

func TestFakeEKSErrorsWithAWSCLI(t *testing.T) {
	NeedTool(t, "aws")

	t.Run("AccessDenied", func(t *testing.T) {
		t.Parallel()
		f := StartFakeEKS(t, "")
		seed(f)
		f.Fail("ListAccessEntries", 403, "AccessDeniedException", -1)
		out, stderr, err := awsCLI(t, f.URL, "3", "eks", "list-access-entries", "--cluster-name", "prod")
		if err == nil || len(out) != 0 || !strings.Contains(stderr, "AccessDeniedException") ||
			!strings.Contains(stderr, "not authorized to perform: eks:ListAccessEntries") {
			t.Errorf("err %v, stdout %q, stderr %s", err, out, stderr)
		}
		if got := f.Calls("ListAccessEntries"); got != 1 {
			t.Errorf("calls = %d, want 1 (not retried)", got)
		}
	})

	t.Run("ThrottledOnceThenSuccess", func(t *testing.T) {
		t.Parallel()
		f := StartFakeEKS(t, "")
		seed(f)
		f.Fail("ListPodIdentityAssociations", 429, "ThrottlingException", 1)
		var out struct {
			Associations []map[string]any `json:"associations"`
		}
		got, stderr, err := awsCLI(t, f.URL, "3", "eks", "list-pod-identity-associations", "--cluster-name", "prod")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if err := json.Unmarshal(got, &out); err != nil || len(out.Associations) != 3 {
			t.Errorf("output %s (%v)", got, err)
		}
		if n := f.Calls("ListPodIdentityAssociations"); n != 2 {
			t.Errorf("calls = %d, want 2 (the CLI retried the throttle)", n)
		}
	})

	t.Run("CreateThroughCLI", func(t *testing.T) {
		t.Parallel()
		f := StartFakeEKS(t, "")
		f.AddCluster("dev")
		var created struct {
			AccessEntry struct {
				PrincipalArn string `json:"principalArn"`
				Username     string `json:"username"`
			} `json:"accessEntry"`
		}
		cliJSON(t, f.URL, &created, "eks", "create-access-entry", "--cluster-name", "dev", "--principal-arn", rolePathed,
			"--kubernetes-groups", "ops", "--type", "STANDARD")
		if created.AccessEntry.PrincipalArn != rolePathed ||
			created.AccessEntry.Username != "arn:aws:sts::123456789012:assumed-role/deployer/{{SessionName}}" {
			t.Errorf("create-access-entry = %+v", created)
		}
		var assoc struct {
			AssociatedAccessPolicy struct {
				PolicyArn   string `json:"policyArn"`
				AccessScope struct {
					Namespaces []string `json:"namespaces"`
				} `json:"accessScope"`
			} `json:"associatedAccessPolicy"`
		}
		cliJSON(t, f.URL, &assoc, "eks", "associate-access-policy", "--cluster-name", "dev", "--principal-arn", rolePathed,
			"--policy-arn", policyEdit, "--access-scope", "type=namespace,namespaces=ops,ci")
		if assoc.AssociatedAccessPolicy.PolicyArn != policyEdit ||
			!cmp.Equal(assoc.AssociatedAccessPolicy.AccessScope.Namespaces, []string{"ops", "ci"}) {
			t.Errorf("associate-access-policy = %+v", assoc)
		}
		var pia struct {
			Association map[string]any `json:"association"`
		}
		cliJSON(t, f.URL, &pia, "eks", "create-pod-identity-association", "--cluster-name", "dev", "--namespace", "ops",
			"--service-account", "runner", "--role-arn", roleApp, "--disable-session-tags")
		if pia.Association["roleArn"] != roleApp || pia.Association["disableSessionTags"] != true {
			t.Errorf("create-pod-identity-association = %v", pia.Association)
		}
		// The fake kept what the CLI sent.
		if f.Calls("CreateAccessEntry") != 1 || f.Calls("AssociateAccessPolicy") != 1 || f.Calls("CreatePodIdentityAssociation") != 1 {
			t.Errorf("create calls: %d %d %d", f.Calls("CreateAccessEntry"), f.Calls("AssociateAccessPolicy"), f.Calls("CreatePodIdentityAssociation"))
		}
	})
}
