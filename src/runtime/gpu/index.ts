// GPU inventory for the local runtime: what nvidia-smi reports (or `--gpus` declares) and who holds each GPU.
export { parseNvidiaSmi, queryNvidiaSmi, NVIDIA_SMI_ARGS, type GpuInfo } from './nvidia-smi.ts';
export { GpuInventory, parseGpuDeclaration, describeShortage, gpuMatchesType, type GpuShortage } from './inventory.ts';
