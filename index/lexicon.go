package index

// The lexicon is what dvkbot knows about how people name things in this domain. It is applied
// the same way to entries when indexing and to questions when matching, so both meet in one
// vocabulary. Keys are lower-case surface words, before stemming.

// synonyms replace a word by its canonical spelling. A value of several words becomes several
// tokens (lb -> load balancing).
var synonyms = map[string]string{
	"k8s": "kubernetes", "k8": "kubernetes", "kube": "kubernetes", "kubernetes's": "kubernetes",
	"swarmkit": "swarm", "swarmmode": "swarm",
	"lb": "load balancing", "lbs": "load balancing", "loadbalancer": "load balancer",
	"loadbalancing": "load balancing",
	"vs": "versus", "vs.": "versus", "v.s.": "versus", "difference": "versus", "differences": "versus",
	"differ": "versus", "compare": "versus", "compared": "versus", "comparison": "versus",
	"autoscale": "autoscaling scaling", "autoscaler": "autoscaling scaling", "autoscaling": "autoscaling scaling",
	"autoscales": "autoscaling scaling", "autoscaled": "autoscaling scaling",
	"scalability": "scaling", "scalable": "scaling",
	"hpa": "horizontal pod autoscaling", "vpa": "vertical pod autoscaling",
	"pv": "persistentvolume", "pvs": "persistentvolume", "pvc": "persistentvolumeclaim",
	"pvcs": "persistentvolumeclaim",
	"cm": "configmap", "configmaps": "configmap",
	"ns": "namespace", "svc": "service", "svcs": "service",
	"sts": "statefulset", "ds": "daemonset", "rs": "replicaset",
	"vm": "virtual machine", "vms": "virtual machine", "hypervisor": "virtual machine hypervisor",
	"containerised": "containerized", "containerisation": "containerization",
	"dockerized": "docker containerized", "dockerised": "docker containerized",
	"dockerize": "docker containerize", "dockerise": "docker containerize",
	"crio": "cri-o", "dockerhub": "docker hub",
	"selfhealing": "self healing", "autoheal": "self healing", "autohealing": "self healing",
	"rollout": "rollout", "rollouts": "rollout", "rollbacks": "rollback",
	"k3d": "k3s k3d", "microk8s": "microk8s local",
	"eks": "eks managed", "gke": "gke managed", "aks": "aks managed",
}

// comparisonWords mark a question that compares two things. They are matched on surface words
// before stop words are removed, since "or" is a stop word.
var comparisonWords = map[string]bool{
	"vs": true, "vs.": true, "versus": true, "difference": true, "differences": true, "differ": true,
	"different": true, "compare": true, "compared": true, "comparison": true, "better": true,
	"or": true, "between": true, "instead": true, "replace": true, "choose": true, "pick": true,
}

// fillerWords carry no meaning for matching: greetings, addressing the bot, politeness and the
// verbs of asking. Dropping them keeps them from counting as unknown words in a question.
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
	"nomad", "file",
)

func setOf(words ...string) map[string]bool {
	s := make(map[string]bool, len(words))
	for _, w := range words {
		s[w] = true
	}
	return s
}
