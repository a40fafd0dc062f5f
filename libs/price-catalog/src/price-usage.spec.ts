import { CatalogLookupError } from './catalog-errors.ts';
import { loadCatalog } from './load-catalog.ts';
import { parseCatalog } from './parse-catalog.ts';
import { billedPromptBound, listPrice, priceUsage, unitPrice, worstCase } from './price-usage.ts';
import { testCatalogFile } from './testing/test-catalog.ts';

const catalog = parseCatalog(testCatalogFile());

describe('priceUsage (serverless)', () => {
  it('charges prompt and completion tokens at their per-million rates', () => {
    // 1,000,000 × 25,000 / 1e6 + 2,000,000 × 40,000 / 1e6 = 25,000 + 80,000
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1_000_000, completionTokens: 2_000_000 })).toBe(105_000);
    // (1000 × 25,000 + 500 × 40,000) / 1e6 = 45 exactly
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, completionTokens: 500 })).toBe(45);
  });

  it('rounds each request up to a whole micro-dollar, never down', () => {
    // (1 × 25,000 + 1 × 40,000) / 1e6 = 0.065 → 1
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1, completionTokens: 1 })).toBe(1);
    // (1001 × 25,000) / 1e6 = 25.025 → 26
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1001, completionTokens: 0 })).toBe(26);
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 0, completionTokens: 0 })).toBe(0);
  });

  it('rounds the sum of prompt and completion, not each part', () => {
    // 20 × 25,000 + 10 × 40,000 = 900,000 → 0.9 → 1 (not ceil(0.5) + ceil(0.4) = 2)
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 20, completionTokens: 10 })).toBe(1);
  });

  it('stays exact for token counts whose products exceed 2^53', () => {
    const max = 4_294_967_295; // uint32 max, the wire limit
    // (max × 120,000 + max × 300,000) / 1e6 = max × 0.42 = 1,803,886,263.9 → 1,803,886,264
    expect(priceUsage(catalog, 'mid', 'serverless', { promptTokens: max, completionTokens: max })).toBe(1_803_886_264);
  });
});

describe('priceUsage (gpu)', () => {
  it('amortises the instance hour over its output throughput', () => {
    // $4.29/h over 5,000 tok/s = 4,290,000 µ$ / 18,000,000 tok; 18,000,000 tokens = one full hour
    expect(priceUsage(catalog, 'small', 'gpu', { promptTokens: 0, completionTokens: 18_000_000 })).toBe(4_290_000);
    // 500 tokens: 500 × 4,290,000 / 18,000,000 = 119.1666… → 120
    expect(priceUsage(catalog, 'small', 'gpu', { promptTokens: 0, completionTokens: 500 })).toBe(120);
    // 70B at 420 tok/s: 1,512,000 tokens per hour = 4,290,000 µ$
    expect(priceUsage(catalog, 'mid', 'gpu', { promptTokens: 0, completionTokens: 1_512_000 })).toBe(4_290_000);
  });

  it('does not charge prompt tokens on GPU (the hour already pays for prefill)', () => {
    const withPrompt = priceUsage(catalog, 'small', 'gpu', { promptTokens: 100_000, completionTokens: 500 });
    expect(withPrompt).toBe(120);
  });

  it('sums per-request costs exactly, each rounded up', () => {
    // 1 token at 1 tok/s on a $1.29/h A10 = 1,290,000 / 3600 = 358.33… → 359 per request
    let total = 0;
    for (let i = 0; i < 3600; i++) total += priceUsage(catalog, 'big', 'gpu', { promptTokens: 0, completionTokens: 1 });
    expect(total).toBe(359 * 3600);
    expect(priceUsage(catalog, 'big', 'gpu', { promptTokens: 0, completionTokens: 3600 })).toBe(1_290_000);
  });
});

describe('priceUsage (cached prompt tokens)', () => {
  it('bills prompt tokens served from the provider\'s cache at the offer\'s cached-input rate', () => {
    // small at fireworks: input 100,000, cached 50,000, output 100,000 µ$/M
    // (600 × 100,000 + 400 × 50,000 + 500 × 100,000) / 1e6 = 60 + 20 + 50
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 500 }, 'fireworks')).toBe(130);
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, completionTokens: 500 }, 'fireworks')).toBe(150);
    // together gives no discount: the cached price defaults to the input price
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 500 }, 'together')).toBe(
      priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, completionTokens: 500 }, 'together'),
    );
  });

  it('rounds once over all three terms', () => {
    // (1 × 100,000 + 1 × 50,000 + 0) / 1e6 = 0.15 → 1
    expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 2, cachedPromptTokens: 1, completionTokens: 0 }, 'fireworks')).toBe(1);
  });

  it('refuses more cached tokens than prompt tokens, and fractional counts', () => {
    expect(() => priceUsage(catalog, 'small', 'serverless', { promptTokens: 1, cachedPromptTokens: 2, completionTokens: 0 }, 'fireworks')).toThrow('cachedPromptTokens (2) exceeds promptTokens (1)');
    expect(() => priceUsage(catalog, 'small', 'serverless', { promptTokens: 1, cachedPromptTokens: 0.5, completionTokens: 0 })).toThrow('cachedPromptTokens');
  });

  it('keeps the worst case (no token cached) an upper bound of every cached share', () => {
    const bound = worstCase(catalog, 'small', 'serverless', 1000, 500);
    for (const provider of [undefined, 'together', 'fireworks']) {
      for (const cached of [0, 1, 500, 1000]) {
        expect(priceUsage(catalog, 'small', 'serverless', { promptTokens: 1000, cachedPromptTokens: cached, completionTokens: 500 }, provider)).toBeLessThanOrEqual(bound);
      }
    }
  });
});

describe('lookups and input checks', () => {
  it('names an unknown model', () => {
    expect(() => priceUsage(catalog, 'nope', 'serverless', { promptTokens: 1, completionTokens: 1 })).toThrow(
      expect.objectContaining({ name: 'CatalogLookupError', reason: 'unknown_model', model: 'nope' }) as Error,
    );
  });

  it('says when a model is not offered on a backend', () => {
    expect(() => unitPrice(catalog, 'big', 'serverless')).toThrow(CatalogLookupError);
    expect(() => unitPrice(catalog, 'big', 'serverless')).toThrow("model 'big' is not offered on backend 'serverless'");
    expect(() => unitPrice(catalog, 'small-b', 'gpu')).toThrow(expect.objectContaining({ reason: 'backend_not_offered' }) as Error);
  });

  it('rejects negative and fractional token counts naming the field', () => {
    expect(() => priceUsage(catalog, 'small', 'serverless', { promptTokens: -1, completionTokens: 1 })).toThrow('promptTokens');
    expect(() => priceUsage(catalog, 'small', 'serverless', { promptTokens: 1, completionTokens: 1.5 })).toThrow('completionTokens');
  });
});

describe('worstCase and listPrice', () => {
  it('prices every allowed completion token at the dearest offer the request can be answered at', () => {
    // small: reference 45, together (0.02/0.04) 40, fireworks (0.1/0.1) 1000 × 0.1 + 500 × 0.1 = 150
    expect(worstCase(catalog, 'small', 'serverless', 1000, 500)).toBe(150);
    // max_tokens unset → the model's maxOutputTokens (1000): fireworks 100 + 100 = 200
    expect(worstCase(catalog, 'small', 'serverless', 1000)).toBe(200);
    // no offers: the reference rate card, 1000 × 30,000 + 500 × 50,000 = 55
    expect(worstCase(catalog, 'small-b', 'serverless', 1000, 500)).toBe(55);
    expect(worstCase(catalog, 'small', 'gpu', 1000, 500)).toBe(120);
  });

  it('bounds the billed prompt by the highest calibration line, never below the estimate', () => {
    // default: ceil(100 × 1.25) + 64
    expect(billedPromptBound(100)).toBe(189);
    expect(billedPromptBound(0)).toBe(64);
    const lines = [
      { ratio: 1.1, overheadTokens: 0 },
      { ratio: 1, overheadTokens: 40 },
    ];
    expect(billedPromptBound(100, lines)).toBe(140);
    expect(billedPromptBound(1000, lines)).toBe(1100);
    expect(billedPromptBound(50, [{ ratio: 0.9, overheadTokens: -10 }])).toBe(50);
  });

  it('quotes per-million rates, GPU rounded up', () => {
    expect(listPrice(catalog, 'mid', 'serverless')).toEqual({ inputMicroUsdPerMTok: 120_000, outputMicroUsdPerMTok: 300_000 });
    // 4,290,000 × 1e6 / 18,000,000 = 238,333.33 → 238,334
    expect(listPrice(catalog, 'small', 'gpu')).toEqual({ inputMicroUsdPerMTok: 0, outputMicroUsdPerMTok: 238_334 });
  });

  it('prices the bundled reference models at their cheapest offer (derived, not a second figure)', () => {
    const bundled = loadCatalog();
    // deepinfra 0.03/0.05 (groq 0.05/0.08, fireworks 0.2/0.2)
    expect(listPrice(bundled, 'meta-llama/Llama-3.1-8B-Instruct', 'serverless')).toEqual({
      inputMicroUsdPerMTok: 30_000,
      outputMicroUsdPerMTok: 50_000,
    });
    // deepinfra 0.13/0.38 (groq 0.59/0.79, fireworks 0.9/0.9)
    expect(listPrice(bundled, 'meta-llama/Llama-3.3-70B-Instruct', 'serverless')).toEqual({
      inputMicroUsdPerMTok: 130_000,
      outputMicroUsdPerMTok: 380_000,
    });
    // openrouter 1.0/1.0 (fireworks 3.0, together 3.5): no longer the Lambda-era $0.80
    expect(listPrice(bundled, 'meta-llama/Llama-3.1-405B-Instruct', 'serverless')).toEqual({
      inputMicroUsdPerMTok: 1_000_000,
      outputMicroUsdPerMTok: 1_000_000,
    });
    // 70B-FP8 on 1x H100: $4.29 / (420 × 3600) per token = $2.837/M
    expect(listPrice(bundled, 'meta-llama/Llama-3.3-70B-Instruct', 'gpu').outputMicroUsdPerMTok).toBe(2_837_302);
  });
});
