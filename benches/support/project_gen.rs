//! A deterministic generator of realistic SQLMesh projects, for benchmarks and tests.
//!
//! `generate(root, &GenOptions { models: n, seed })` wipes `root` and writes a complete SQLMesh
//! project with exactly `n` models (`n >= 20`), shaped like a large dbt/SQLMesh warehouse rather
//! than like `n` copies of one file:
//!
//! - `config.yaml`: a DuckDB gateway (in memory), `model_defaults` (dialect duckdb, start date),
//!   project variables and a linter section.
//! - `external_models.yaml`: about `n / 25` raw source tables (`raw_<system>.<table>`, eight source
//!   systems, regional copies such as `orders_eu`) with typed columns, including load metadata.
//! - `seeds/*.csv` with `SEED` models in `models/seeds/` (reference data joined on attributes).
//! - `models/staging/<system>/`: one `VIEW` per source that renames (`id AS order_id`), casts,
//!   converts cents with a project macro and drops soft-deleted rows.
//! - `models/intermediate/<domain>/`: six tiers of `INCREMENTAL_BY_TIME_RANGE` models
//!   (`time_column event_ts`, `WHERE ... BETWEEN @start_ts AND @end_ts`): a filtered CTE over one
//!   upstream, pre-aggregated CTEs over 1-3 more upstreams joined on shared keys (2-4 upstreams in
//!   all), seed lookups, `QUALIFY` de-duplication, `CASE` bands, `@safe_divide`, `@surrogate_key`.
//! - `models/marts/<domain>/`: three tiers of marts: daily `FULL` rollups (`GROUP BY`, running
//!   totals and `LAG` windows), `INCREMENTAL_BY_UNIQUE_KEY` entity summaries with built-in and
//!   custom audits, and `FULL` reports over other marts (`RANK`, share of total).
//! - `models/python/`: a few Python models (`@model` with `columns` and `depends_on`).
//! - `macros/utils.py` (three `@macro()` functions) and `audits/` (two custom audits).
//!
//! Model files are 20-80 lines with `description`, column docs (a `column_descriptions` block or,
//! in some files, trailing `-- comments` on the projections), `grain`, `owner`, `tags` and a mix of
//! crons. Models live in ten schemas (`staging`, `seeds`, six domain schemas, `analytics`,
//! `reporting`). The DAG is layered: every intermediate reads one model of the tier just before it,
//! so the graph is at least ten models deep, and wide (tiers of hundreds of models at n = 10,000).
//!
//! The generator tracks the output columns of every model and only selects, joins, filters and
//! aggregates columns that exist upstream, so the project loads and renders in SQLMesh with
//! no unresolved column, and column lineage is well defined. Every referenced table exists and
//! the graph has no cycles by construction (models only read models generated before them).
//! `hub` (`customers.int_customer_profiles`, in the first intermediate tier) is joined by many
//! intermediates, so at n >= 2000 at least 500 models depend on it transitively;
//! `hub_downstream` reports the exact count.
//!
//! Checked against SQLMesh 0.236 (seed 42): n = 60, 300 and 1000 load, every model renders and the
//! linter's column rules pass; a DuckDB `plan` of n = 60 and 300 runs every model.

#![allow(dead_code)]

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[path = "project_gen_models.rs"]
mod models;
#[path = "../../tests/support/rng.rs"]
mod rng;
use rng::Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Number of models (SQL and Python, external models not counted). At least 20.
    pub models: usize,
    /// Seed of the generator; the same options always produce the same files.
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions { models: 1000, seed: 42 }
    }
}

/// What was generated.
#[derive(Clone, Debug)]
pub struct GeneratedProject {
    pub root: PathBuf,
    /// Canonical names (`schema.table`) of all models, upstream before downstream.
    pub models: Vec<String>,
    /// A model early in the DAG with many transitive downstream models (>= 500 when n >= 2000).
    pub hub: String,
    /// Number of models that depend on `hub`, directly or transitively.
    pub hub_downstream: usize,
    /// A SQL mart that nothing depends on.
    pub leaf: String,
    /// Number of models in each DAG layer (index 0: external models and seeds).
    pub layer_sizes: Vec<usize>,
    /// Every file written (`root` joined with its path in the project).
    pub files: Vec<PathBuf>,
}

/// Writes the project; see the module documentation.
pub fn generate(root: &Path, opts: &GenOptions) -> io::Result<GeneratedProject> {
    if opts.models < 20 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "generate needs at least 20 models"));
    }
    if root.exists() {
        fs::remove_dir_all(root)?;
    }
    let mut out = Writer { root: root.to_path_buf(), files: Vec::new(), dirs: HashSet::new() };
    let mut rng = Rng(opts.seed ^ 0x5EED_F00D_3E5B_0001);
    let n = opts.models;
    let n_staging = (n / 25).max(4).min(n / 3);
    let n_seeds = SEEDS.len().min(n / 12);
    let n_python = if n >= 40 { (n / 500).clamp(1, 20) } else { 0 };
    let rest = n - n_staging - n_seeds - n_python;
    let n_int = rest * 55 / 100;
    let int_tiers = split(n_int, &[1; 6]);
    let mart_tiers = split(rest - n_int, &[5, 3, 2]);

    let mut nodes: Vec<Node> = Vec::new();
    let mut model_names = Vec::new();
    let mut seed_ids = Vec::new();
    for seed in &SEEDS[..n_seeds] {
        let node = models::seed_model(seed, &mut out)?;
        model_names.push(node.name.clone());
        seed_ids.push(nodes.len());
        nodes.push(node);
    }

    // Tier 1: staging views over external models.
    let mut tiers: Vec<Vec<usize>> = vec![Vec::new(), Vec::new()];
    let mut externals = Vec::new();
    for i in 0..n_staging {
        let src = &SOURCES[i % SOURCES.len()];
        let suffix = region_suffix(i / SOURCES.len());
        let node = models::staging(&mut rng, i % SOURCES.len(), &suffix, &mut out)?;
        externals.push((format!("raw_{}.{}{}", src.system, src.table, suffix), i % SOURCES.len()));
        model_names.push(node.name.clone());
        tiers[1].push(nodes.len());
        nodes.push(node);
    }

    // Intermediate tiers: one primary upstream from the tier before, 1-3 more from any earlier tier.
    let mut hub = None;
    let mut seq = 0;
    for &count in &int_tiers {
        let t = tiers.len();
        let mut tier = Vec::new();
        for j in 0..count {
            let prev = &tiers[t - 1];
            let primary = if j < prev.len() { prev[j] } else { prev[rng.below(prev.len())] };
            let secondaries = pick_int_secondaries(&mut rng, &nodes, &tiers, t, primary, hub);
            seq += 1;
            let name = if hub.is_none() {
                "customers.int_customer_profiles".to_string()
            } else {
                let src = &SOURCES[nodes[primary].entity];
                let word = INT_WORDS[rng.below(INT_WORDS.len())];
                format!("{}.int_{}_{}_{:04}", DOMAINS[nodes[primary].domain], src.table, word, seq)
            };
            let node = models::intermediate(&mut rng, &nodes, name, primary, &secondaries, &seed_ids, &mut out)?;
            hub.get_or_insert(nodes.len());
            model_names.push(node.name.clone());
            tier.push(nodes.len());
            nodes.push(node);
        }
        tiers.push(tier);
    }
    let int_pool: Vec<usize> = tiers[2..].iter().flatten().copied().collect();

    // Mart tiers: rollups and entity summaries over intermediates, then reports over marts.
    let mut mart_pool: Vec<usize> = Vec::new();
    for (m, &count) in mart_tiers.iter().enumerate() {
        let t = tiers.len();
        let mut tier = Vec::new();
        for j in 0..count {
            seq += 1;
            let node = if m == 0 {
                let last = &tiers[t - 1];
                let primary = if j < last.len() || rng.chance(60) {
                    last[j % last.len()]
                } else {
                    int_pool[rng.below(int_pool.len())]
                };
                if rng.chance(45) {
                    models::mart_daily(&mut rng, &nodes, seq, primary, &int_pool, &mut out)?
                } else {
                    models::mart_entity(&mut rng, &nodes, seq, primary, &int_pool, &mut out)?
                }
            } else {
                let prev = &tiers[t - 1];
                let primary = if j < prev.len() { prev[j] } else { prev[rng.below(prev.len())] };
                let pool = if rng.chance(70) { &mart_pool } else { &int_pool };
                models::mart_report(&mut rng, &nodes, seq, primary, pool, &mut out)?
            };
            model_names.push(node.name.clone());
            tier.push(nodes.len());
            nodes.push(node);
        }
        mart_pool.extend(&tier);
        tiers.push(tier);
    }
    for _ in 0..n_python {
        seq += 1;
        let primary = mart_pool[rng.below(mart_pool.len())];
        let node = models::python_model(&mut rng, &nodes, seq, primary, &mut out)?;
        model_names.push(node.name.clone());
        nodes.push(node);
    }

    write_project_files(&mut rng, &externals, &mut out)?;

    // Layers, the hub's downstream closure and a leaf, all from the recorded dependencies.
    let mut layer = vec![0usize; nodes.len()];
    let mut reaches_hub = vec![false; nodes.len()];
    let mut has_child = vec![false; nodes.len()];
    let hub = hub.expect("at least one intermediate");
    for i in 0..nodes.len() {
        for &d in &nodes[i].deps {
            layer[i] = layer[i].max(layer[d] + 1);
            reaches_hub[i] |= d == hub || reaches_hub[d];
            has_child[d] = true;
        }
        if nodes[i].kind == Kind::Staging {
            layer[i] = 1;
        }
    }
    let mut layer_sizes = vec![0; layer.iter().max().map_or(1, |m| m + 1)];
    layer_sizes[0] = externals.len();
    for &l in &layer {
        layer_sizes[l] += 1;
    }
    let leaf = (0..nodes.len())
        .rev()
        .find(|&i| nodes[i].kind == Kind::Mart && !has_child[i])
        .map(|i| nodes[i].name.clone())
        .unwrap_or_else(|| model_names.last().cloned().unwrap_or_default());
    Ok(GeneratedProject {
        root: root.to_path_buf(),
        models: model_names,
        hub: nodes[hub].name.clone(),
        hub_downstream: reaches_hub.iter().filter(|&&r| r).count(),
        leaf,
        layer_sizes,
        files: out.files,
    })
}

/// Percent chance that an intermediate whose rows carry `customer_id` also joins the hub.
const HUB_JOIN_PERCENT: u64 = 6;

fn pick_int_secondaries(
    rng: &mut Rng,
    nodes: &[Node],
    tiers: &[Vec<usize>],
    tier: usize,
    primary: usize,
    hub: Option<usize>,
) -> Vec<(usize, String)> {
    let keys: Vec<&str> = nodes[primary].cols.iter().filter(|c| c.role == Role::Key).map(|c| c.name.as_str()).collect();
    let want = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3][rng.below(10)];
    let mut out: Vec<(usize, String)> = Vec::new();
    if let Some(h) = hub.filter(|_| keys.contains(&"customer_id") && rng.chance(HUB_JOIN_PERCENT)) {
        out.push((h, "customer_id".to_string()));
    }
    let domain = nodes[primary].domain;
    for _ in 0..30 {
        if out.len() >= want {
            break;
        }
        let mut t = tier - 1;
        while t > 1 && rng.chance(45) {
            t -= 1;
        }
        let c = tiers[t][rng.below(tiers[t].len())];
        if c == primary || out.iter().any(|(d, _)| *d == c) || (nodes[c].domain != domain && rng.chance(50)) {
            continue;
        }
        let shared: Vec<&Col> =
            nodes[c].cols.iter().filter(|col| col.role == Role::Key && keys.contains(&col.name.as_str())).collect();
        if !shared.is_empty() {
            out.push((c, shared[rng.below(shared.len())].name.clone()));
        }
    }
    out
}

/// Splits `total` by `weights`, never leaving a part empty while `total` allows.
fn split(total: usize, weights: &[usize]) -> Vec<usize> {
    let parts = weights.len().min(total.max(1));
    let sum: usize = weights[..parts].iter().sum();
    let mut out: Vec<usize> = weights[..parts].iter().map(|w| (total * w / sum).max(1)).collect();
    let assigned: usize = out.iter().sum();
    out[0] = (out[0] + total).saturating_sub(assigned).max(1);
    out
}

fn region_suffix(copy: usize) -> String {
    match copy {
        0 => String::new(),
        c => {
            let region = REGIONS[(c - 1) % REGIONS.len()];
            match (c - 1) / REGIONS.len() {
                0 => format!("_{region}"),
                k => format!("_{region}_{}", k + 1),
            }
        }
    }
}

fn write_project_files(rng: &mut Rng, externals: &[(String, usize)], out: &mut Writer) -> io::Result<()> {
    out.write(
        "config.yaml",
        "# SQLMesh project configuration (generated for meshls benchmarks).\n\
         gateways:\n  local:\n    connection:\n      type: duckdb\n\n\
         default_gateway: local\n\n\
         model_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n  cron: '@daily'\n\n\
         variables:\n  high_value_threshold: 500\n  reporting_currency: USD\n\n\
         linter:\n  enabled: true\n  rules:\n    - ambiguousorinvalidcolumn\n    - invalidselectstarexpansion\n    - noambiguousprojections\n",
    )?;
    let mut yaml = String::from("# Raw tables loaded by the ingestion tool; not managed by SQLMesh.\n");
    for (name, s) in externals {
        let src = &SOURCES[*s];
        yaml.push_str(&format!("- name: {name}\n  description: {} as replicated from the {} system, one row per version.\n  columns:\n    id: BIGINT\n", title(src.table), src.system));
        for fk in src.fks {
            yaml.push_str(&format!("    {fk}: BIGINT\n"));
        }
        for (m, ty) in src.measures {
            yaml.push_str(&format!("    {m}: {ty}\n"));
        }
        for a in src.attrs {
            yaml.push_str(&format!("    {a}: VARCHAR\n"));
        }
        for f in src.flags {
            yaml.push_str(&format!("    {f}: BOOLEAN\n"));
        }
        let extra = if rng.chance(30) { "    _source_file: VARCHAR\n" } else { "" };
        yaml.push_str(&format!("    created_at: TIMESTAMP\n    updated_at: TIMESTAMP\n    _loaded_at: TIMESTAMP\n    _is_deleted: BOOLEAN\n{extra}"));
    }
    out.write("external_models.yaml", &yaml)?;
    out.write("macros/__init__.py", "")?;
    out.write("macros/utils.py", MACROS_PY)?;
    out.write("audits/assert_non_negative.sql", AUDIT_NON_NEGATIVE)?;
    out.write("audits/assert_not_in_future.sql", AUDIT_NOT_IN_FUTURE)
}

const MACROS_PY: &str = r#""""Macros shared by the generated models."""

from sqlmesh import macro


@macro()
def cents_to_dollars(evaluator, column):
    """Converts an integer amount of cents to a decimal amount of the currency."""
    sql = column.sql(dialect=evaluator.dialect)
    return f"CAST({sql} / 100.0 AS DECIMAL(18, 2))"


@macro()
def safe_divide(evaluator, numerator, denominator):
    """Divides two expressions, giving NULL instead of an error when the denominator is zero."""
    num = numerator.sql(dialect=evaluator.dialect)
    den = denominator.sql(dialect=evaluator.dialect)
    return f"CAST({num} AS DOUBLE) / NULLIF({den}, 0)"


@macro()
def surrogate_key(evaluator, *columns):
    """Hashes one or more columns into a stable text key, like dbt_utils.generate_surrogate_key."""
    parts = ", ".join(
        f"COALESCE(CAST({c.sql(dialect=evaluator.dialect)} AS TEXT), '')" for c in columns
    )
    return f"MD5(CONCAT_WS('|', {parts}))"
"#;

const AUDIT_NON_NEGATIVE: &str = "AUDIT (\n  name assert_non_negative,\n  dialect duckdb\n);\n\n\
-- Fails for every row where the audited column is negative.\n\
SELECT *\nFROM @this_model\nWHERE @column < 0\n";

const AUDIT_NOT_IN_FUTURE: &str = "AUDIT (\n  name assert_not_in_future,\n  dialect duckdb\n);\n\n\
-- Fails for rows stamped more than a day in the future (clock skew in a source).\n\
SELECT *\nFROM @this_model\nWHERE @column > CURRENT_TIMESTAMP + INTERVAL 1 DAY\n";

/// Writes files under the root, remembering them and the directories already created.
struct Writer {
    root: PathBuf,
    files: Vec<PathBuf>,
    dirs: HashSet<PathBuf>,
}

impl Writer {
    fn write(&mut self, rel: &str, text: &str) -> io::Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent().filter(|d| !self.dirs.contains(*d)) {
            fs::create_dir_all(dir)?;
            self.dirs.insert(dir.to_path_buf());
        }
        fs::write(&path, text)?;
        self.files.push(path);
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Key,
    Ts,
    Date,
    Measure,
    Attr,
    Flag,
    /// Computed per row (bands, ranks, hashes): passed through, never aggregated again.
    Derived,
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    ty: &'static str,
    role: Role,
    desc: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Seed,
    Staging,
    Intermediate,
    Mart,
    Python,
}

struct Node {
    name: String,
    kind: Kind,
    domain: usize,
    /// Index into `SOURCES` of the entity the rows describe.
    entity: usize,
    cols: Vec<Col>,
    deps: Vec<usize>,
}

fn title(s: &str) -> String {
    let words = s.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

const DOMAINS: [&str; 6] = ["sales", "customers", "marketing", "finance", "product", "ops"];
const OWNERS: [&str; 6] =
    ["sales-analytics", "customer-data", "growth", "finance-data", "product-analytics", "ops-analytics"];
const INT_WORDS: [&str; 8] =
    ["enriched", "joined", "cleaned", "scored", "unified", "attributed", "windowed", "resolved"];
const REGIONS: [&str; 12] = ["eu", "us", "uk", "de", "fr", "br", "jp", "au", "ca", "in", "mx", "sg"];

struct Source {
    table: &'static str,
    entity: &'static str,
    system: &'static str,
    domain: usize,
    fks: &'static [&'static str],
    /// Raw name and type; `*_cents` columns become decimal amounts in staging.
    measures: &'static [(&'static str, &'static str)],
    attrs: &'static [&'static str],
    flags: &'static [&'static str],
}

macro_rules! src {
    ($t:literal, $e:literal, $s:literal, $d:literal, [$($fk:literal),*], [$($m:literal : $mt:literal),*], [$($a:literal),*], [$($f:literal),*]) => {
        Source { table: $t, entity: $e, system: $s, domain: $d, fks: &[$($fk),*], measures: &[$(($m, $mt)),*], attrs: &[$($a),*], flags: &[$($f),*] }
    };
}

const SOURCES: [Source; 18] = [
    src!("customers", "customer", "crm", 1, ["account_id"], ["lifetime_value_cents": "BIGINT", "order_total": "INTEGER"], ["segment", "country_code", "signup_source"], ["is_active"]),
    src!("orders", "order", "shop", 0, ["customer_id", "store_id"], ["amount_cents": "BIGINT", "quantity": "INTEGER", "discount_cents": "BIGINT"], ["order_status", "channel", "currency_code"], ["is_gift"]),
    src!("order_items", "order_item", "shop", 0, ["order_id", "product_id"], ["unit_price_cents": "BIGINT", "quantity": "INTEGER", "tax_cents": "BIGINT"], ["item_status"], ["is_promo"]),
    src!("products", "product", "catalog", 4, [], ["list_price_cents": "BIGINT", "weight_grams": "INTEGER"], ["category", "brand"], ["is_active"]),
    src!("payments", "payment", "billing", 3, ["order_id", "customer_id"], ["amount_cents": "BIGINT", "fee_cents": "BIGINT"], ["payment_method", "currency_code"], ["is_refunded"]),
    src!("sessions", "session", "web", 2, ["customer_id", "campaign_id"], ["duration_seconds": "INTEGER", "page_count": "INTEGER"], ["device_type", "channel", "country_code"], ["is_bounce"]),
    src!("accounts", "account", "crm", 1, ["customer_id"], ["credit_limit_cents": "BIGINT", "seats": "INTEGER"], ["plan_name", "industry"], ["is_enterprise"]),
    src!("invoices", "invoice", "billing", 3, ["account_id", "customer_id"], ["amount_cents": "BIGINT", "tax_cents": "BIGINT"], ["invoice_status", "currency_code"], ["is_paid"]),
    src!("shipments", "shipment", "logistics", 5, ["order_id", "warehouse_id"], ["shipping_cost_cents": "BIGINT", "package_count": "INTEGER"], ["carrier", "shipment_status"], ["is_expedited"]),
    src!("subscriptions", "subscription", "billing", 3, ["customer_id", "account_id"], ["mrr_cents": "BIGINT", "seats": "INTEGER"], ["plan_name", "billing_period"], ["is_trial"]),
    src!("page_views", "page_view", "web", 2, ["session_id", "customer_id", "product_id"], ["time_on_page_seconds": "INTEGER"], ["page_type", "device_type"], ["is_landing"]),
    src!("campaigns", "campaign", "ads", 2, [], ["budget_cents": "BIGINT"], ["channel", "objective"], ["is_active"]),
    src!("ad_spend", "ad_spend", "ads", 2, ["campaign_id"], ["spend_cents": "BIGINT", "impressions": "BIGINT", "clicks": "BIGINT"], ["channel", "network"], ["is_brand"]),
    src!("inventory_levels", "inventory_level", "logistics", 4, ["product_id", "warehouse_id"], ["on_hand_units": "INTEGER", "reserved_units": "INTEGER"], ["stock_status"], ["is_backordered"]),
    src!("refunds", "refund", "billing", 3, ["order_id", "payment_id"], ["refund_cents": "BIGINT"], ["refund_reason"], ["is_partial"]),
    src!("support_tickets", "ticket", "support", 5, ["customer_id", "order_id"], ["resolution_minutes": "INTEGER", "reply_count": "INTEGER"], ["priority", "ticket_status", "channel"], ["is_escalated"]),
    src!("warehouses", "warehouse", "logistics", 5, [], ["capacity_units": "INTEGER"], ["region", "warehouse_type"], ["is_active"]),
    src!("stores", "store", "shop", 0, ["warehouse_id"], ["floor_area_sqm": "DOUBLE"], ["region", "store_format", "country_code"], ["is_open"]),
];

/// Reference data: name, join column, (value column, type, description), CSV rows.
struct Seed {
    name: &'static str,
    key: &'static str,
    values: &'static [(&'static str, &'static str, &'static str)],
    rows: &'static [&'static str],
}

const SEEDS: [Seed; 5] = [
    Seed {
        name: "country_codes",
        key: "country_code",
        values: &[
            ("country_name", "TEXT", "English name of the country"),
            ("market_region", "TEXT", "Commercial region the country reports into"),
        ],
        rows: &[
            "US,United States,north_america",
            "CA,Canada,north_america",
            "GB,United Kingdom,emea",
            "DE,Germany,emea",
            "FR,France,emea",
            "BR,Brazil,latam",
            "JP,Japan,apac",
            "AU,Australia,apac",
        ],
    },
    Seed {
        name: "currency_rates",
        key: "currency_code",
        values: &[("usd_rate", "DOUBLE", "Units of USD per unit of the currency")],
        rows: &["USD,1.0", "EUR,1.08", "GBP,1.27", "JPY,0.0067", "BRL,0.2", "AUD,0.66"],
    },
    Seed {
        name: "channel_groups",
        key: "channel",
        values: &[("channel_group", "TEXT", "Marketing channel group used in attribution reports")],
        rows: &[
            "organic,unpaid",
            "paid_search,paid",
            "paid_social,paid",
            "email,owned",
            "referral,unpaid",
            "retail,offline",
        ],
    },
    Seed {
        name: "plan_tiers",
        key: "plan_name",
        values: &[
            ("plan_tier", "TEXT", "Commercial tier of the plan"),
            ("list_price", "DOUBLE", "Monthly list price of the plan in USD"),
        ],
        rows: &[
            "free,free,0",
            "starter,self_serve,29",
            "team,self_serve,99",
            "business,sales_led,499",
            "enterprise,sales_led,1999",
        ],
    },
    Seed {
        name: "carrier_sla",
        key: "carrier",
        values: &[("sla_days", "INT", "Contractual delivery time of the carrier in days")],
        rows: &["ups,3", "fedex,2", "dhl,4", "usps,5", "local_courier,1"],
    },
];
