package index

import "strings"

// The lexicon is what dvkbot knows about how people name things in this domain. It is applied
// the same way to entries when indexing and to questions when matching, so both meet in one
// vocabulary. Keys are lower-case surface words, before stemming.

// synonyms replace a word by its canonical spelling. A value of several words becomes several
// tokens (lb -> load balancing).
var synonyms = map[string]string{
	"k8s": "kubernetes", "k8": "kubernetes", "kube": "kubernetes", "kubernetes's": "kubernetes",
	"kubes": "kubernetes", "kubernete": "kubernetes",
	"swarmkit": "swarm", "swarmmode": "swarm",
	"lb": "load balancing", "lbs": "load balancing", "loadbalancer": "load balancer",
	"loadbalancers": "load balancer", "loadbalancing": "load balancing",
	"vs": "versus", "vs.": "versus", "v.s.": "versus", "difference": "versus", "differences": "versus",
	"differ": "versus", "differs": "versus", "diff": "versus", "diffs": "versus", "better": "versus",
	"compare": "versus", "compared": "versus", "compares": "versus", "comparison": "versus",
	"autoscale": "autoscaling scaling", "autoscaler": "autoscaling scaling", "autoscaling": "autoscaling scaling",
	"autoscales": "autoscaling scaling", "autoscaled": "autoscaling scaling", "autoscalers": "autoscaling scaling",
	"scalability": "scaling", "scalable": "scaling",
	"hpa": "horizontal pod autoscaling", "vpa": "vertical pod autoscaling",
	"pv": "persistent volume", "pvs": "persistent volume", "persistentvolume": "persistent volume",
	"persistentvolumes": "persistent volume", "pvc": "persistent volume claim",
	"pvcs": "persistent volume claim", "persistentvolumeclaim": "persistent volume claim",
	"persistentvolumeclaims": "persistent volume claim",
	"cm":                     "configmap", "configmaps": "configmap",
	"config": "configuration", "configs": "configuration", "env": "environment", "envs": "environment",
	"var": "variable", "vars": "variable", "yml": "yaml",
	"img": "image", "imgs": "image", "repo": "repository", "repos": "repository",
	"db": "database", "dbs": "database", "prod": "production",
	"creds": "credentials", "pw": "password", "passwd": "password", "certs": "certificate", "cert": "certificate",
	"ns": "namespace", "svc": "service", "svcs": "service",
	"sts": "statefulset", "ds": "daemonset", "rs": "replicaset",
	"cronjob": "cron job", "cronjobs": "cron job", "crontab": "cron",
	"vm": "virtual machine", "vms": "virtual machine", "hypervisor": "virtual machine hypervisor",
	"containerised": "containerized", "containerisation": "containerization",
	"dockerized": "docker containerized", "dockerised": "docker containerized",
	"dockerize": "docker containerize", "dockerise": "docker containerize",
	"dockerhub":   "docker hub",
	"selfhealing": "self healing", "autoheal": "self healing", "autohealing": "self healing",
	"rollback": "roll back", "rollbacks": "roll back", "rollouts": "rollout",
	"healthcheck": "health check", "healthchecks": "health check",
	"oom": "oomkilled", "crashloop": "crashloopbackoff",
	"multi": "multiple", "several": "multiple", "itself": "automatically", "auto": "automatically",
	"k3d": "k3s k3d", "microk8s": "microk8s local",
	"eks": "eks managed", "gke": "gke managed", "aks": "aks managed",
}

// compounds are names people split in two ("stateful set", "config map"), keyed by the two
// words, with the one word they are written as.
var compounds = map[string]string{
	"stateful set": "statefulset", "stateful sets": "statefulset", "daemon set": "daemonset",
	"daemon sets": "daemonset", "replica set": "replicaset", "replica sets": "replicaset",
	"config map": "configmap", "config maps": "configmap", "docker file": "dockerfile",
	"docker files": "dockerfile", "node port": "nodeport", "cluster ip": "clusterip",
	"side car": "sidecar", "mini kube": "minikube", "kube ctl": "kubectl", "name space": "namespace",
	"name spaces": "namespace", "docker shim": "dockershim", "storage class": "storageclass",
	"empty dir": "emptydir", "container d": "containerd",
}

// compoundStarts are the first words of the compounds, so most words skip the pair lookup.
var compoundStarts = func() map[string]bool {
	starts := map[string]bool{}
	for pair := range compounds {
		starts[strings.Fields(pair)[0]] = true
	}
	return starts
}()

// fillerWords carry no meaning for matching: greetings, addressing the bot, politeness, the
// verbs of asking and chat shorthand. Dropping them keeps them from counting as unknown words.
var fillerWords = setOf(
	"hey", "hi", "hello", "yo", "hiya", "howdy", "bot", "dvk", "dvkbot", "please", "pls", "plz",
	"thanks", "thank", "thx", "ty", "cheers", "guys", "folks", "y'all", "yall", "anyone", "someone",
	"somebody", "question", "quick", "q", "tell", "explain", "explained", "describe", "know",
	"understand", "wondering", "wonder", "curious", "confused", "help", "need", "want", "wanted",
	"like", "just", "really", "actually", "basically", "ok", "okay", "also", "eli5", "me", "you",
	"u", "i", "i'm", "im", "i've", "ive", "my", "we", "we're", "our", "us", "can", "could", "would",
	"should", "shall", "will", "get", "got", "anybody", "simple", "simply", "terms", "words",
	"lol", "haha", "btw", "idk", "tl", "dr", "tldr", "hmm", "um", "uh", "guess", "think",
	"mean", "means", "meant", "does", "do", "did", "is", "are", "was", "were", "be", "been",
	"exactly", "sort", "thing", "things", "stuff", "way", "ways",
	"whats", "wats", "wat", "wht", "dont", "doesnt", "didnt", "isnt", "arent", "cant", "wont",
	"shouldnt", "wouldnt", "couldnt", "even", "honestly", "everyone", "everybody", "people",
	"said", "say", "says", "seems", "seem", "maybe", "probably", "anyway", "kinda", "sorta",
	"gonna", "wanna", "literally", "whatever", "etc", "yeah", "yep", "nope", "ya", "oh", "ah",
	"plain", "english", "paragraph", "rundown", "overview", "intro", "introduction", "noob",
	"newbie", "dumb", "stupid", "silly", "basics", "hear", "heard",
	"keep", "keeps", "read", "saw", "seen", "see", "seeing", "mention",
	"mentions", "mentioned", "one", "saying", "everything", "something", "anything", "asking", "ask",
	"asked", "wonderin", "trying", "figure", "clue", "idea", "sorry", "sry", "understood",
	"lot", "lots", "bunch", "totally", "completely", "super", "quite", "wrt", "regarding", "re",
	"iirc", "afaik", "imo", "tbh", "ngl",
	// who is asking or was told: "my manager says", "our CTO wants"; "manager" would otherwise
	// stem to the same term as "managed".
	"manager", "managers", "pm", "pms", "cto", "ceo", "boss", "colleague", "colleagues",
	"coworker", "coworkers", "teammate", "teammates", "guy",
)

// genericWords are domain words that are also everyday English ("node", "service", "image").
// On their own they do not anchor a question in the domain; see Question.Anchored.
var genericWords = setOf(
	"node", "nodes", "cluster", "clusters", "service", "services", "image", "images", "volume",
	"volumes", "secret", "secrets", "job", "jobs", "deployment", "deployments", "namespace",
	"namespaces", "registry", "registries", "container", "containers", "network", "networking",
	"scale", "scaling", "load", "balancing", "balancer", "probe", "probes", "desktop", "kind",
	"machine", "virtual", "vm", "hub", "build", "run", "deploy", "local", "managed", "cloud",
	"pod", "pods", "helm", "swarm", "compose", "ingress", "rollout", "rollback", "cri", "oci",
	"nomad", "file", "horizontal", "vertical", "autoscaling", "persistent", "claim", "roll", "back",
	"cron", "health", "check", "configuration", "environment", "variable", "database", "production",
	"hypervisor", "self", "healing", "o",
)

// anchorWords name things only this domain talks about. With the non-generic words of the
// entries' entities (docker, kubernetes, kubectl…) they mark a question as on topic even when
// the rest of it is everyday English. Each is one word to the tokenizer: "kube-proxy" is not
// here, as its "proxy" is everyday English.
var anchorWords = setOf(
	"docker", "dockerd", "dockerfile", "dockerfiles", "dockerignore", "dockershim", "kubernetes",
	"kubectl", "kubelet", "kubeadm", "kubeconfig", "etcd", "containerd", "runc", "crictl", "crio",
	"minikube", "k3s", "k3d", "microk8s", "podman", "buildah", "buildkit", "kompose",
	"kustomize", "karpenter", "keda", "statefulset", "statefulsets", "daemonset", "daemonsets",
	"replicaset", "replicasets", "configmap", "cronjob", "storageclass", "emptydir", "nodeport",
	"clusterip", "imagepullbackoff", "errimagepull", "imagepullsecrets", "crashloopbackoff",
	"oomkilled", "containerization", "containerized", "containerize", "hpa", "vpa", "pvc", "pv",
	"cni", "calico", "cilium", "flannel", "coredns", "openshift", "rancher", "eks", "gke", "aks",
	"ecr", "ghcr", "acr", "harbor", "distroless", "readinessprobe", "livenessprobe", "liveness",
	"readiness", "sidecar", "restartpolicy", "maxsurge", "maxunavailable", "apiserver",
	"multistage", "dockerhub",
	"persistentvolume", "persistentvolumeclaim", "k8s", "kube",
)

// brandedProducts are the words that follow "docker" in the names of Docker's products.
var brandedProducts = setOf("compose", "swarm", "desktop", "hub")

func setOf(words ...string) map[string]bool {
	s := make(map[string]bool, len(words))
	for _, w := range words {
		s[w] = true
	}
	return s
}
