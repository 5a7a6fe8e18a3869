import type { CodecKernel } from './kernel.ts';
import { PortableKernel } from './portable-kernel.ts';

let selected: CodecKernel | undefined;

/** The kernel the codec uses in this process. */
export function selectKernel(): CodecKernel {
  selected ??= new PortableKernel();
  return selected;
}
