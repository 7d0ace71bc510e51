// The `lora` option shared by trainers on the in-process runtime (sft, dpo).
export function loraOptionSchema(dropout: number) {
  return {
    type: 'object',
    additionalProperties: false,
    description: 'train LoRA adapters instead of all weights; writes the PEFT adapter and the merged model',
    properties: {
      r: { type: 'integer', minimum: 1, default: 8 },
      alpha: { type: 'number', exclusiveMinimum: 0, default: 16 },
      dropout: { type: 'number', minimum: 0, maximum: 0.9, default: dropout },
      targetModules: { type: 'array', items: { type: 'string' }, default: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] },
    },
  } as const;
}
