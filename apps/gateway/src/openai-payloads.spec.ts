import { chatCompletionChunk, textChoice, textChunkRenderer } from './openai-payloads.ts';

describe('textChunkRenderer', () => {
  it('renders exactly what serialising the chunk object gives, for any text, id and model', () => {
    const texts = ['', 'Hello', ' world', 'quote " backslash \\ newline \n tab \t', 'emoji 🦙 and \u2028 and \u0000', '"content":""', '</script>'];
    const idents = [
      { id: 'chatcmpl-req-1', created: 1_733_400_000 },
      { id: 'chatcmpl-"content":""', created: 0 },
    ];
    for (const ident of idents) {
      for (const model of ['meta-llama/Llama-3.1-8B-Instruct', 'odd "content":"" model']) {
        const render = textChunkRenderer(ident, model);
        for (const text of texts) {
          expect(render(text)).toBe(JSON.stringify(chatCompletionChunk(ident, model, textChoice({ content: text }, null))));
          expect(JSON.parse(render(text)).choices[0].delta.content).toBe(text);
        }
      }
    }
  });
});
