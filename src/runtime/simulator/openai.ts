import { z } from 'zod';

/**
 * The OpenAI request fields the simulator reads. Loose objects: any other OpenAI or vLLM parameter
 * (temperature, top_p, stop…) is accepted and ignored, as a model server would not reject it.
 */
const MaxTokens = z.number().int().min(1).nullish();
const StreamOptions = z.looseObject({ include_usage: z.boolean().nullish() }).nullish();

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const Message = z.looseObject({
  role: z.string().min(1),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

export const ChatCompletionRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullish(),
  stream_options: StreamOptions,
  max_tokens: MaxTokens,
  max_completion_tokens: MaxTokens,
  n: z.literal(1, { error: 'only n=1 is supported by the simulator' }).nullish(),
  /** vLLM extension: generate exactly max_tokens, never stop early (as benchmarks use it). */
  ignore_eos: z.boolean().nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export const CompletionRequest = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).length(1), z.array(z.number().int()).min(1)], {
    error: 'expected a string, an array of one string, or an array of token ids (batched prompts are not supported by the simulator)',
  }),
  stream: z.boolean().nullish(),
  stream_options: StreamOptions,
  max_tokens: MaxTokens,
  n: z.literal(1, { error: 'only n=1 is supported by the simulator' }).nullish(),
  ignore_eos: z.boolean().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

export const EmbeddingRequest = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number().int()).min(1), z.array(z.array(z.number().int()).min(1)).min(1)], {
    error: 'expected a string, a non-empty array of strings, or token ids',
  }),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().min(1).max(16_384).nullish(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

/** Text of one message's content: a string, or the text parts of a content array. */
export function messageText(content: z.infer<typeof Message>['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((p) => p.text ?? '').join('');
}

/** The prompt as text; token-id prompts become space-separated ids (echo returns them so). */
export function completionPromptText(prompt: CompletionRequest['prompt']): string {
  if (typeof prompt === 'string') return prompt;
  return prompt.map(String).join(prompt.length > 0 && typeof prompt[0] === 'number' ? ' ' : '');
}

/** The OpenAI error body; `type` follows OpenAI's names so clients map it to their error classes. */
export function errorBody(status: number, message: string, param: string | null = null): string {
  const type =
    status === 400 ? 'invalid_request_error'
    : status === 401 ? 'authentication_error'
    : status === 404 ? 'not_found_error'
    : status === 429 ? 'rate_limit_exceeded'
    : status === 503 ? 'service_unavailable'
    : 'server_error';
  return JSON.stringify({ error: { message, type, param, code: status } });
}
