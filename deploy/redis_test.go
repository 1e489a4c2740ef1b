package deploy_test

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/dvkbot/dvkbot/bot/brain"
	"github.com/dvkbot/dvkbot/bot/brain/braintest"
)

// overlayObjects is the example overlay's build: the install with the Redis component.
func overlayObjects(t *testing.T) objects {
	t.Helper()
	return builds(t)["overlay"]
}

// redisPodLabels are the labels of the Redis component's pods.
func redisPodLabels(t *testing.T, objs objects) map[string]string {
	t.Helper()
	return decodeNamed[appsv1.Deployment](t, objs, "Deployment", redisName).Spec.Template.Labels
}

// onlyTo says whether every peer of a rule is a pod selector matching set, and there is one.
func onlyTo(peers []networkingv1.NetworkPolicyPeer, set map[string]string) bool {
	return len(peers) > 0 && !slices.ContainsFunc(peers, func(p networkingv1.NetworkPolicyPeer) bool {
		return p.IPBlock != nil || p.NamespaceSelector != nil || !selects(p.PodSelector, set)
	})
}

// TestRedisComponent checks the Redis the example overlay adds: one replica whose data is on a
// PersistentVolumeClaim, non-root, probed, its password from the Secret, reachable only from
// dvkbot's pods; and dvkbot pointed at it through DVK_REDIS_URL.
func TestRedisComponent(t *testing.T) {
	objs := overlayObjects(t)
	d := decodeNamed[appsv1.Deployment](t, objs, "Deployment", redisName)
	svc := decodeNamed[corev1.Service](t, objs, "Service", redisName)
	pvc := decodeNamed[corev1.PersistentVolumeClaim](t, objs, "PersistentVolumeClaim", redisName)
	np := decodeNamed[networkingv1.NetworkPolicy](t, objs, "NetworkPolicy", redisName)
	secret := decodeNamed[corev1.Secret](t, objs, "Secret", redisName)
	bot := decode[appsv1.Deployment](t, objs, "Deployment").Spec.Template.Spec.Containers[0]
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	podSC, sc := val(pod.SecurityContext), val(c.SecurityContext)
	_, tag, _ := strings.Cut(c.Image, ":")
	major, minor := redisVersion(tag)
	var ingressPorts []string
	for _, r := range np.Spec.Ingress {
		ingressPorts = append(ingressPorts, ports(r.Ports)...)
		if !onlyTo(r.From, podLabels(t, objs)) {
			t.Errorf("Redis ingress from %v: more than dvkbot's pods", r.From)
		}
	}
	runChecks(t, []check{
		{"replicas", val(d.Spec.Replicas), int32(1)},
		// One ReadWriteOnce volume: the old pod must release it before the new one starts.
		{"strategy", d.Spec.Strategy.Type, appsv1.RecreateDeploymentStrategyType},
		{"Redis 6.2 or newer", major > 6 || (major == 6 && minor >= 2), true},
		{"data on the claim", claimMount(pod, c, pvc.Name), "/data"},
		{"claim size", pvc.Spec.Resources.Requests.Storage().Cmp(resource.MustParse("1Gi")) >= 0, true},
		{"claim access", pvc.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}},
		{"appendonly", strings.Contains(strings.Join(c.Args, " "), "--appendonly yes"), true},
		{"pod runAsNonRoot", podSC.RunAsNonRoot, ptr(true)},
		{"pod fsGroup", podSC.FSGroup != nil, true},
		{"runAsNonRoot", sc.RunAsNonRoot, ptr(true)},
		{"runAsUser not root", val(sc.RunAsUser) > 0, true},
		{"readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem, ptr(true)},
		{"allowPrivilegeEscalation", sc.AllowPrivilegeEscalation, ptr(false)},
		{"capabilities", val(sc.Capabilities), corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
		{"seccompProfile", val(sc.SeccompProfile).Type, corev1.SeccompProfileTypeRuntimeDefault},
		{"automountServiceAccountToken", pod.AutomountServiceAccountToken, ptr(false)},
		{"readiness probe", probeCommand(c.ReadinessProbe), "redis-cli ping | grep -qx PONG"},
		{"liveness probe", probeCommand(c.LivenessProbe), "redis-cli ping | grep -qx PONG"},
		{"password from the Secret", secretKey(c, "REDIS_PASSWORD"), secret.Name + "/REDIS_PASSWORD"},
		{"probes' password from the Secret", secretKey(c, "REDISCLI_AUTH"), secret.Name + "/REDIS_PASSWORD"},
		{"no password in the arguments", strings.Contains(strings.Join(c.Args, " "), "--requirepass"), false},
		{"memory limit", c.Resources.Limits.Memory().IsZero(), false},
		{"Service selects Redis", selects(&metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, redisPodLabels(t, objs)), true},
		{"Service port", svc.Spec.Ports[0].Port, int32(6379)},
		{"Service target", containerPort(c, svc.Spec.Ports[0].TargetPort), intstr.FromInt32(6379)},
		{"NetworkPolicy selects Redis", selects(&np.Spec.PodSelector, redisPodLabels(t, objs)), true},
		{"NetworkPolicy types", np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}},
		{"Redis reaches nothing", len(np.Spec.Egress), 0},
		{"Redis ingress", ingressPorts, []string{"TCP/6379"}},
		{"dvkbot's password", secretKey(bot, "REDIS_PASSWORD"), secret.Name + "/REDIS_PASSWORD"},
		{"dvkbot's DVK_REDIS_URL", envValue(bot, "DVK_REDIS_URL"), "redis://:$(REDIS_PASSWORD)@" + svc.Name + ":6379/0"},
		// $(VAR) expands only variables defined before it.
		{"password defined before the URL", envIndex(bot, "REDIS_PASSWORD") < envIndex(bot, "DVK_REDIS_URL"), true},
	})
}

// redisVersion reads major and minor from an image tag such as 7.4-alpine.
func redisVersion(tag string) (major, minor int) {
	parts := strings.SplitN(strings.SplitN(tag, "-", 2)[0], ".", 3)
	if len(parts) < 2 {
		return 0, 0
	}
	major, _ = strconv.Atoi(parts[0])
	minor, _ = strconv.Atoi(parts[1])
	return major, minor
}

// claimMount is where the container mounts the PersistentVolumeClaim claim.
func claimMount(pod corev1.PodSpec, c corev1.Container, claim string) string {
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != claim {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name == v.Name && !m.ReadOnly {
				return m.MountPath
			}
		}
	}
	return "not mounted"
}

// probeCommand is the shell command of an exec probe run as /bin/sh -c COMMAND.
func probeCommand(p *corev1.Probe) string {
	if p == nil || p.Exec == nil || len(p.Exec.Command) != 3 || p.Exec.Command[0] != "/bin/sh" {
		return "no shell probe"
	}
	return p.Exec.Command[2]
}

// envIndex is the position of a variable in the container's env, -1 when absent.
func envIndex(c corev1.Container, name string) int {
	return slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == name })
}

// TestRedisContainerScript runs the Redis container's own start script with a real
// redis-server, its paths moved to temporary folders: a good password starts a server that
// asks for it (and the probe's command passes), a bad one stops it at once, saying why.
func TestRedisContainerScript(t *testing.T) {
	braintest.StartRedis(t) // skips without redis-server, unless CI requires it
	c := decodeNamed[appsv1.Deployment](t, overlayObjects(t), "Deployment", redisName).Spec.Template.Spec.Containers[0]
	if len(c.Command) != 2 || len(c.Args) != 1 {
		t.Fatalf("command %q args %q: want /bin/sh -c SCRIPT", c.Command, c.Args)
	}
	run := func(password string, port int) (*exec.Cmd, *strings.Builder) {
		data, conf := t.TempDir(), t.TempDir()
		script := strings.NewReplacer("/data", data, "/conf", conf, "--port 6379", "--port "+strconv.Itoa(port)).Replace(c.Args[0])
		cmd := exec.Command(c.Command[0], c.Command[1], script)
		cmd.Env = append(os.Environ(), "REDIS_PASSWORD="+password)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		return cmd, &out
	}
	for _, bad := range []string{"", "short0123", "has/slash-and@at-0123456789abcdefghij"} {
		cmd, out := run(bad, 1)
		if err := cmd.Run(); err == nil || !strings.Contains(out.String(), "REDIS_PASSWORD") {
			t.Errorf("password %q: err %v, output %q; want a refusal naming REDIS_PASSWORD", bad, err, out)
		}
	}
	password := strings.TrimPrefix(strings.TrimSpace(fakeRedisEnv), "REDIS_PASSWORD=")
	port := braintest.FreePort(t)
	cmd, out := run(password, port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addr := "127.0.0.1:" + strconv.Itoa(port) + "/0"
	authed := braintest.Open(t, brain.Options{RedisURL: "redis://:" + password + "@" + addr})
	for authed.Ping(ctx) != nil { // the server is starting: asked again until it answers
		if ctx.Err() != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait() // the output is complete, and no longer written to
			t.Fatalf("the server never answered; its output:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := braintest.Open(t, brain.Options{RedisURL: "redis://" + addr}).Ping(ctx); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Errorf("a client without the password: %v, want NOAUTH", err)
	}
	probe := exec.Command("/bin/sh", "-c", strings.Replace(probeCommand(c.ReadinessProbe), "redis-cli", "redis-cli -p "+strconv.Itoa(port), 1))
	probe.Env = append(os.Environ(), "REDISCLI_AUTH="+password)
	if got, err := probe.CombinedOutput(); err != nil {
		t.Errorf("the readiness probe failed on a healthy server: %v %s", err, got)
	}
}
