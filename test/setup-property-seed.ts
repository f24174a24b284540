// Property tests run from one seed, so CI is reproducible: KEEL_PROPERTY_SEED=N explores another.
import fc from 'fast-check';

const seed = Number(process.env['KEEL_PROPERTY_SEED'] ?? 20261121);
fc.configureGlobal({ seed });
