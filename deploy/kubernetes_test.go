package deploy_test

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

const (
	baseDir    = "kubernetes"
	overlayDir = "kubernetes/overlays/example"
	// fakeEnv stands in for the dvkbot.env an operator writes from dvkbot.env.example.
	fakeEnv = "SLACK_APP_TOKEN=xapp-1-test\nSLACK_BOT_TOKEN=xoxb-test\n"
	// fakeRedisEnv stands in for the redis.env an operator writes from redis.env.example.
	fakeRedisEnv = "REDIS_PASSWORD=0123456789abcdef0123456789abcdef\n"
	// redisName prefixes the names of the Redis component's objects.
	redisName = "dvkbot-redis"
)

// objects is the output of one kustomize build, by kind and then name.
type objects map[string]map[string][]byte

// kustomize builds dir exactly as `kustomize build dir` would (root-only load restrictions).
func kustomize(t *testing.T, dir string) objects {
	t.Helper()
	resMap, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	objs := objects{}
	for _, r := range resMap.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatalf("%s %s: %v", r.GetKind(), r.GetName(), err)
		}
		if objs[r.GetKind()] == nil {
			objs[r.GetKind()] = map[string][]byte{}
		}
		objs[r.GetKind()][r.GetName()] = y
	}
	return objs
}

// builds returns the base, as a fresh clone has it, and the example overlay, built the way an
// operator does after filling in dvkbot.env.
func builds(t *testing.T) map[string]objects {
	t.Helper()
	root := copyDeploy(t)
	for file, text := range map[string]string{"dvkbot.env": fakeEnv, "redis.env": fakeRedisEnv} {
		if err := os.WriteFile(filepath.Join(root, overlayDir, file), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]objects{"base": kustomize(t, baseDir), "overlay": kustomize(t, filepath.Join(root, overlayDir))}
}

// copyDeploy copies the kustomize folders to a temporary deploy/ without any real dvkbot.env.
func copyDeploy(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{"kubernetes", "knowledge"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range []string{"dvkbot.env", "redis.env"} {
		if err := os.Remove(filepath.Join(root, overlayDir, file)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return root
}

// decode reads dvkbot's own object of the given kind (not the Redis component's) with the real
// Kubernetes type; unknown fields fail. The build must hold exactly one.
func decode[T any](t *testing.T, objs objects, kind string) T {
	t.Helper()
	var names []string
	for name := range objs[kind] {
		if !strings.HasPrefix(name, redisName) {
			names = append(names, name)
		}
	}
	if len(names) != 1 {
		t.Fatalf("%d %s objects of dvkbot in the build (%v), want 1", len(names), kind, names)
	}
	return decodeNamed[T](t, objs, kind, names[0])
}

// decodeNamed reads the object of a kind and name (a generated one by its name without the
// hash suffix) with the real Kubernetes type; unknown fields fail.
func decodeNamed[T any](t *testing.T, objs objects, kind, name string) T {
	t.Helper()
	var v T
	y, ok := objs[kind][name]
	for full, gen := range objs[kind] {
		if !ok && strings.HasPrefix(full, name+"-") && !strings.Contains(strings.TrimPrefix(full, name+"-"), "-") {
			y, ok = gen, true
		}
	}
	if !ok {
		t.Fatalf("no %s %s in the build", kind, name)
	}
	if err := yaml.UnmarshalStrict(y, &v); err != nil {
		t.Fatalf("decode %s %s: %v", kind, name, err)
	}
	return v
}

// val dereferences p, giving the zero value for nil, so optional fields compare in tables.
func val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// check is one expectation in a table: what is checked, the value found, the value wanted.
type check struct {
	name      string
	got, want any
}

func runChecks(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, show(c.got), show(c.want))
		}
	}
}

// show prints what a pointer points to rather than its address.
func show(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		return v
	}
	if rv.IsNil() {
		return "nil"
	}
	return rv.Elem().Interface()
}

func TestKustomizeBuildKinds(t *testing.T) {
	common := []string{"ConfigMap/dvkbot-knowledge", "Deployment/dvkbot", "NetworkPolicy/dvkbot", "PodDisruptionBudget/dvkbot", "Secret/dvkbot-slack", "Service/dvkbot-metrics"}
	redis := []string{"Deployment/dvkbot-redis", "NetworkPolicy/dvkbot-redis", "PersistentVolumeClaim/dvkbot-redis", "Secret/dvkbot-redis", "Service/dvkbot-redis"}
	want := map[string][]string{"base": common, "overlay": slices.Concat([]string{"Namespace/dvkbot", "ServiceMonitor/dvkbot"}, common, redis)}
	hashed := regexp.MustCompile(`-[a-z0-9]{10}$`) // a generated Secret's content hash
	for name, objs := range builds(t) {
		var got []string
		for kind, byName := range objs {
			for n := range byName {
				if kind == "Secret" {
					n = hashed.ReplaceAllString(n, "")
				}
				got = append(got, kind+"/"+n)
			}
		}
		slices.Sort(got)
		slices.Sort(want[name])
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s objects = %v, want %v", name, got, want[name])
		}
	}
}

func TestDeployment(t *testing.T) {
	for name, objs := range builds(t) {
		t.Run(name, func(t *testing.T) {
			d := decode[appsv1.Deployment](t, objs, "Deployment")
			secret := decode[corev1.Secret](t, objs, "Secret")
			pod := d.Spec.Template.Spec
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(pod.Containers))
			}
			c := pod.Containers[0]
			podSC, sc := val(pod.SecurityContext), val(c.SecurityContext)
			runChecks(t, []check{
				// Slack spreads events over at most 10 Socket Mode connections per app.
				{"replicas", val(d.Spec.Replicas), int32(2)},
				{"automountServiceAccountToken", pod.AutomountServiceAccountToken, ptr(false)},
				{"pod runAsNonRoot", podSC.RunAsNonRoot, ptr(true)},
				{"pod runAsUser", podSC.RunAsUser, ptr(int64(65532))},
				{"pod seccompProfile", val(podSC.SeccompProfile).Type, corev1.SeccompProfileTypeRuntimeDefault},
				{"runAsNonRoot", sc.RunAsNonRoot, ptr(true)},
				{"runAsUser", sc.RunAsUser, ptr(int64(65532))},
				{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem, ptr(true)},
				{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation, ptr(false)},
				{"capabilities", val(sc.Capabilities), corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
				{"seccompProfile", val(sc.SeccompProfile).Type, corev1.SeccompProfileTypeRuntimeDefault},
				{"args", c.Args, []string{"serve"}},
				{"liveness probe", probeTarget(c, c.LivenessProbe), "/healthz:8080"},
				{"readiness probe", probeTarget(c, c.ReadinessProbe), "/readyz:8080"},
				{"DVK_HTTP_ADDR", envValue(c, "DVK_HTTP_ADDR"), ":8080"},
				{"scrape annotation", d.Spec.Template.Annotations["prometheus.io/scrape"], "true"},
				{"scrape port annotation", d.Spec.Template.Annotations["prometheus.io/port"], "8080"},
				{"knowledge mount", knowledgeMount(pod, c), envValue(c, "DVK_KNOWLEDGE_DIR") + " read-only"},
				{"SLACK_APP_TOKEN", secretKey(c, "SLACK_APP_TOKEN"), secret.Name + "/SLACK_APP_TOKEN"},
				{"SLACK_BOT_TOKEN", secretKey(c, "SLACK_BOT_TOKEN"), secret.Name + "/SLACK_BOT_TOKEN"},
				{"DVK_MEMORY_LIMIT", resourceRef(c, "DVK_MEMORY_LIMIT"), "limits.memory in bytes"},
				{"Secret keys", slices.Sorted(maps.Keys(secret.Data)), []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"}},
				{"spread over nodes", spreadsOver(d, "kubernetes.io/hostname"), true},
			})
			for _, r := range []struct {
				list corev1.ResourceList
				name corev1.ResourceName
				min  string
			}{
				{c.Resources.Requests, corev1.ResourceCPU, "10m"},
				{c.Resources.Requests, corev1.ResourceMemory, "56Mi"}, // dvkbot's RSS through a burst, and a full ConfigMap
				{c.Resources.Limits, corev1.ResourceCPU, "100m"},
				{c.Resources.Limits, corev1.ResourceMemory, "128Mi"}, // a reload of 2,250 entries (README)
			} {
				q, ok := r.list[r.name]
				if !ok || q.Cmp(resource.MustParse(r.min)) < 0 {
					t.Errorf("resources %s = %v (set: %v), want at least %s", r.name, q.String(), ok, r.min)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// probeTarget is where an HTTP probe goes, "path:port", with a named port resolved.
func probeTarget(c corev1.Container, p *corev1.Probe) string {
	if p == nil || p.HTTPGet == nil {
		return "no HTTP probe"
	}
	port := containerPort(c, p.HTTPGet.Port)
	return p.HTTPGet.Path + ":" + port.String()
}

// containerPort resolves a port given by name to its number.
func containerPort(c corev1.Container, port intstr.IntOrString) intstr.IntOrString {
	for _, p := range c.Ports {
		if port.Type == intstr.String && p.Name == port.StrVal {
			return intstr.FromInt32(p.ContainerPort)
		}
	}
	return port
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// secretKey is "secret/key" for an env variable read from a Secret.
func secretKey(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			return e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		}
	}
	return ""
}

// resourceRef says which of its own resources the container passes in an env variable, through
// the downward API.
func resourceRef(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name != name || e.ValueFrom == nil || e.ValueFrom.ResourceFieldRef == nil {
			continue
		}
		ref := e.ValueFrom.ResourceFieldRef
		if ref.ContainerName != "" && ref.ContainerName != c.Name {
			return ref.Resource + " of container " + ref.ContainerName
		}
		if !ref.Divisor.IsZero() && ref.Divisor.Cmp(resource.MustParse("1")) != 0 {
			return ref.Resource + " divided by " + ref.Divisor.String()
		}
		return ref.Resource + " in bytes"
	}
	return ""
}

// knowledgeMount is where the dvkbot-knowledge ConfigMap is mounted. A subPath mount would
// never see ConfigMap updates, so it does not count.
func knowledgeMount(pod corev1.PodSpec, c corev1.Container) string {
	for _, v := range pod.Volumes {
		if v.ConfigMap == nil || v.ConfigMap.Name != "dvkbot-knowledge" {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name == v.Name && m.SubPath == "" && m.ReadOnly {
				return m.MountPath + " read-only"
			}
		}
	}
	return "not mounted"
}

// spreadsOver says whether the Deployment's pods are spread over the given topology.
func spreadsOver(d appsv1.Deployment, topologyKey string) bool {
	for _, s := range d.Spec.Template.Spec.TopologySpreadConstraints {
		if s.TopologyKey == topologyKey && selects(s.LabelSelector, d.Spec.Template.Labels) {
			return true
		}
	}
	return false
}

// selects says whether a non-empty label selector matches a set of labels.
func selects(sel *metav1.LabelSelector, set map[string]string) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(set))
}

func TestNetworkPolicy(t *testing.T) {
	for name, objs := range builds(t) {
		t.Run(name, func(t *testing.T) {
			np := decode[networkingv1.NetworkPolicy](t, objs, "NetworkPolicy")
			var ingress, egress []string
			for _, r := range np.Spec.Ingress {
				ingress = append(ingress, ports(r.Ports)...)
			}
			for _, r := range np.Spec.Egress {
				if len(r.Ports) == 0 {
					t.Errorf("egress rule %v allows every port", r)
				}
				egress = append(egress, ports(r.Ports)...)
				if slices.Contains(ports(r.Ports), "TCP/6379") && !onlyTo(r.To, redisPodLabels(t, objs)) {
					t.Errorf("egress to Redis's port reaches more than the Redis pods: %v", r.To)
				}
			}
			slices.Sort(egress)
			wantEgress := []string{"TCP/443", "TCP/53", "UDP/53"}
			if name == "overlay" { // with the Redis component
				wantEgress = []string{"TCP/443", "TCP/53", "TCP/6379", "UDP/53"}
			}
			runChecks(t, []check{
				{"policyTypes", np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}},
				{"selects the bot", selects(&np.Spec.PodSelector, podLabels(t, objs)), true},
				{"ingress", ingress, []string{"TCP/8080"}},
				{"egress", egress, wantEgress},
			})
		})
	}
}

// ports lists NetworkPolicy ports as "PROTOCOL/port".
func ports(ps []networkingv1.NetworkPolicyPort) []string {
	var out []string
	for _, p := range ps {
		port := "any"
		if p.Port != nil {
			port = p.Port.String()
		}
		out = append(out, string(val(p.Protocol))+"/"+port)
	}
	return out
}

func TestPodDisruptionBudgetAndService(t *testing.T) {
	for name, objs := range builds(t) {
		t.Run(name, func(t *testing.T) {
			pdb := decode[policyv1.PodDisruptionBudget](t, objs, "PodDisruptionBudget")
			svc := decode[corev1.Service](t, objs, "Service")
			d := decode[appsv1.Deployment](t, objs, "Deployment")
			var svcPorts []string
			for _, p := range svc.Spec.Ports {
				target := containerPort(d.Spec.Template.Spec.Containers[0], p.TargetPort)
				svcPorts = append(svcPorts, p.Name+":"+target.String())
			}
			runChecks(t, []check{
				{"PDB minAvailable", pdb.Spec.MinAvailable, ptr(intstr.FromInt32(1))},
				{"PDB selects the bot", selects(pdb.Spec.Selector, podLabels(t, objs)), true},
				{"Service selects the bot", selects(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, podLabels(t, objs)), true},
				{"Service ports", svcPorts, []string{"http-metrics:8080"}},
			})
		})
	}
}

func TestKnowledgeConfigMap(t *testing.T) {
	files, err := filepath.Glob("knowledge/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no entries in deploy/knowledge (%v)", err)
	}
	for name, objs := range builds(t) {
		cm := decode[corev1.ConfigMap](t, objs, "ConfigMap")
		// A stable name: updates reach running pods instead of replacing them.
		if cm.Name != "dvkbot-knowledge" {
			t.Errorf("%s: ConfigMap name %q, want dvkbot-knowledge", name, cm.Name)
		}
		if len(cm.Data) != len(files) {
			t.Errorf("%s: ConfigMap has %d files, deploy/knowledge has %d: list every entry in knowledge/kustomization.yaml", name, len(cm.Data), len(files))
		}
		for _, f := range files {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := cm.Data[filepath.Base(f)]; got != string(want) {
				t.Errorf("%s: ConfigMap %s differs from %s", name, filepath.Base(f), f)
			}
		}
	}
}

func TestSecrets(t *testing.T) {
	b := builds(t)
	base := decode[corev1.Secret](t, b["base"], "Secret")
	overlay := decode[corev1.Secret](t, b["overlay"], "Secret")
	// The committed placeholders and examples carry the keys the bot reads, and never a token.
	for key, v := range base.Data {
		if len(v) != 0 {
			t.Errorf("base Secret %s is not empty", key)
		}
	}
	for _, example := range []string{"dvkbot.env.example", overlayDir + "/dvkbot.env.example"} {
		var keys []string
		for _, l := range lines(t, example) {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			key, value, _ := strings.Cut(l, "=")
			keys = append(keys, key)
			if value != "" {
				t.Errorf("%s: %s has a value: examples must hold no token", example, key)
			}
		}
		if want := slices.Sorted(maps.Keys(base.Data)); !slices.Equal(keys, want) {
			t.Errorf("%s keys = %v, want %v", example, keys, want)
		}
	}
	runChecks(t, []check{
		{"overlay SLACK_APP_TOKEN", string(overlay.Data["SLACK_APP_TOKEN"]), "xapp-1-test"},
		{"overlay SLACK_BOT_TOKEN", string(overlay.Data["SLACK_BOT_TOKEN"]), "xoxb-test"},
		{"gitignored", slices.Contains(lines(t, ".gitignore"), "dvkbot.env"), true},
	})

	// Without its dvkbot.env the overlay must not build, rather than ship empty tokens.
	root := copyDeploy(t)
	_, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), filepath.Join(root, overlayDir))
	if err == nil || !strings.Contains(err.Error(), "dvkbot.env") {
		t.Errorf("overlay without dvkbot.env: error %v, want one naming dvkbot.env", err)
	}
}

func TestOverlay(t *testing.T) {
	objs := builds(t)["overlay"]
	type serviceMonitor struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
		Spec       struct {
			Selector  metav1.LabelSelector `json:"selector"`
			Endpoints []struct {
				Port     string `json:"port"`
				Path     string `json:"path"`
				Interval string `json:"interval"`
			} `json:"endpoints"`
		} `json:"spec"`
	}
	sm := decode[serviceMonitor](t, objs, "ServiceMonitor")
	svc := decode[corev1.Service](t, objs, "Service")
	ns := decode[corev1.Namespace](t, objs, "Namespace")
	image := decode[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Spec.Containers[0].Image
	_, tag, _ := strings.Cut(image, ":")
	var endpoints []string
	for _, e := range sm.Spec.Endpoints {
		endpoints = append(endpoints, e.Port+e.Path)
	}
	runChecks(t, []check{
		{"ServiceMonitor apiVersion", sm.APIVersion, "monitoring.coreos.com/v1"},
		{"ServiceMonitor selects the Service", selects(&sm.Spec.Selector, svc.Labels), true},
		{"ServiceMonitor endpoints", endpoints, []string{svc.Spec.Ports[0].Name + "/metrics"}},
		{"Pod Security Standard", ns.Labels["pod-security.kubernetes.io/enforce"], "restricted"},
		{"image pinned", tag != "" && tag != "latest", true},
	})
	for kind, byName := range objs {
		for name, y := range byName {
			var o metav1.PartialObjectMetadata
			if err := yaml.Unmarshal(y, &o); err != nil {
				t.Fatal(err)
			}
			if kind != "Namespace" && o.Namespace != ns.Name {
				t.Errorf("%s %s in namespace %q, want %q", kind, name, o.Namespace, ns.Name)
			}
		}
	}
}

// lines reads a file's lines, trimmed.
func lines(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

// podLabels are the labels of the Deployment's pods in a build.
func podLabels(t *testing.T, objs objects) map[string]string {
	t.Helper()
	return decode[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Labels
}
