import { TestRepo } from '../controller/harness.ts';

/**
 * A config repo in seed 000's shape: an Argo CD `AppProject` and an `argoproj.io/v1alpha1
 * Application` (project, repoURL/targetRevision/path, destination server and namespace, automated
 * prune + selfHeal, CreateNamespace and PruneLast) pointing at a kustomize overlay of a simulated
 * chat model and its route. No `preSync` Job: Jobs run only on the Kubernetes target.
 */
export function argoRepo(): TestRepo {
  const repo = new TestRepo();
  repo.write(
    'argocd/projects/llm-models.yaml',
    `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: llm-models
  namespace: argocd
spec:
  description: LLM model deployments
  sourceRepos:
  - https://github.com/your-org/*
  destinations:
  - namespace: development
    server: https://kubernetes.default.svc
`,
  );
  repo.write(
    'deployment-phases/phase1-chat.yaml',
    `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: chat-foundation
  namespace: argocd
  labels:
    deployment-phase: "phase-1"
spec:
  project: llm-models
  source:
    repoURL: https://github.com/your-org/llm-gitops-config
    targetRevision: main
    path: applications/chat/overlays/development
  destination:
    server: https://kubernetes.default.svc
    namespace: development
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
    - CreateNamespace=true
    - PruneLast=true
`,
  );
  repo.write('applications/chat/base/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- models.yaml\n- route.yaml\n');
  repo.write(
    'applications/chat/base/models.yaml',
    `apiVersion: ployd.ai/v1
kind: ModelDeployment
metadata:
  name: chat-small
spec:
  model:
    name: chat
    framework: simulator
    path: hf://example/chat-small
    simulator:
      timeToFirstToken: 5ms
      interTokenLatency: 1ms
      mode: echo
  replicas: 2
`,
  );
  repo.write(
    'applications/chat/base/route.yaml',
    `apiVersion: ployd.ai/v1
kind: GatewayRoute
metadata:
  name: chat
spec:
  path: /v1
  models:
  - name: chat-small
    weight: 100
  authentication:
    required: true
    methods: ["api_key"]
`,
  );
  repo.write(
    'applications/chat/overlays/development/kustomization.yaml',
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: development
resources:
- ../../base
patches:
- target:
    kind: ModelDeployment
    name: chat-small
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 1
`,
  );
  repo.commit('seed 000 shape: AppProject + Argo CD Application');
  return repo;
}
