//! Model files for `project_gen`: every builder writes one model and returns its `Node`, whose
//! columns are exactly the projections it wrote, so downstream models only use real columns.

use super::{Col, DOMAINS, Kind, Node, OWNERS, Rng, Role, SOURCES, Seed, Writer, title};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;

/// One projection: its SQL expression and the column it produces.
struct Item {
    expr: String,
    col: Col,
}

fn col(name: impl Into<String>, ty: &'static str, role: Role, desc: impl Into<String>) -> Col {
    Col { name: name.into(), ty, role, desc: desc.into() }
}

fn item(expr: impl Into<String>, col: Col) -> Item {
    Item { expr: expr.into(), col }
}

fn pass(alias: &str, c: &Col) -> Item {
    item(format!("{alias}.{}", c.name), c.clone())
}

/// A column name without the aggregate prefixes added by earlier models.
fn base(name: &str) -> &str {
    const PREFIXES: [&str; 8] = ["total_", "avg_", "max_", "min_", "cumulative_", "previous_", "last_", "first_"];
    let mut s = name;
    while let Some(p) = PREFIXES.iter().find(|p| s.len() > p.len() && s.starts_with(*p)) {
        s = &s[p.len()..];
    }
    s
}

/// `items` in a random order (Fisher-Yates), so that picks never repeat.
fn shuffled<T>(rng: &mut Rng, mut items: Vec<T>) -> Vec<T> {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
    items
}

fn words(name: &str) -> String {
    name.trim_end_matches("_id").replace('_', " ")
}

fn cron(rng: &mut Rng) -> &'static str {
    [
        "'@daily'",
        "'@daily'",
        "'@daily'",
        "'@daily'",
        "'@daily'",
        "'@hourly'",
        "'0 6 * * *'",
        "'0 */4 * * *'",
        "'@weekly'",
        "'30 2 * * *'",
    ][rng.below(10)]
}

/// The aggregate of `c` under a name not yet in `taken`, or `None` when there is no such name.
fn aggregate(
    rng: &mut Rng,
    alias: &str,
    c: &Col,
    taken: &mut HashSet<String>,
    per: &str,
    from: &str,
    entity: &str,
) -> Option<Item> {
    let b = base(&c.name);
    let options: Vec<(&str, String, &'static str, &str)> = match c.role {
        Role::Measure if rng.chance(70) => {
            vec![("SUM", format!("total_{b}"), c.ty, "Sum"), ("MAX", format!("max_{b}"), c.ty, "Largest")]
        }
        Role::Measure => {
            vec![("AVG", format!("avg_{b}"), "DOUBLE", "Average"), ("MIN", format!("min_{b}"), c.ty, "Smallest")]
        }
        Role::Attr if !c.name.starts_with(entity) => {
            vec![("MAX", c.name.clone(), c.ty, "Max value"), ("MAX", format!("{entity}_{}", c.name), c.ty, "Max value")]
        }
        Role::Attr => vec![("MAX", c.name.clone(), c.ty, "Max value")],
        Role::Flag => {
            vec![("BOOL_OR", format!("has_{}", b.trim_start_matches("is_").trim_start_matches("has_")), "BOOLEAN", "")]
        }
        Role::Ts => vec![("MAX", format!("last_{b}"), c.ty, "Latest")],
        _ => vec![],
    };
    let (f, name, ty, label) = options.into_iter().find(|o| !taken.contains(&o.1))?;
    taken.insert(name.clone());
    let desc = match c.role {
        Role::Flag => format!("True when {} is set on any row per {per}, from {from}", c.name),
        _ => format!("{label} of {} per {per}, from {from}", c.name),
    };
    let role = if c.role == Role::Ts { Role::Ts } else { c.role };
    Some(item(format!("{f}({alias}.{})", c.name), col(name, ty, role, desc)))
}

/// A CTE that aggregates `up` by `key`, adding 1-2 new column names to `taken`.
fn keyed_cte(
    rng: &mut Rng,
    nodes: &[Node],
    up: usize,
    key: &str,
    ctes: &mut Vec<String>,
    taken: &mut HashSet<String>,
    max_aggs: usize,
) -> Option<(String, Vec<Col>)> {
    let n = &nodes[up];
    let entity = SOURCES[n.entity].entity;
    let mut name = format!("{}_by_{}", SOURCES[n.entity].table, key.trim_end_matches("_id"));
    while ctes.iter().any(|c| c.starts_with(&format!("{name} AS"))) {
        name.push_str("_2");
    }
    let cands: Vec<&Col> =
        n.cols.iter().filter(|c| matches!(c.role, Role::Measure | Role::Attr | Role::Flag) && c.name != key).collect();
    let mut items = vec![item(format!("x.{key}"), col(key, "BIGINT", Role::Key, ""))];
    for c in shuffled(rng, cands) {
        if items.len() > max_aggs {
            break;
        }
        items.extend(aggregate(rng, "x", c, taken, key, &n.name, entity));
    }
    let count = format!("{entity}_count");
    if (items.len() == 1 || (max_aggs > 1 && rng.chance(30))) && !taken.contains(&count) {
        taken.insert(count.clone());
        items.push(item(
            "COUNT(*)",
            col(count, "BIGINT", Role::Measure, format!("Number of rows per {key} in {}", n.name)),
        ));
    }
    if items.len() == 1 {
        return None;
    }
    let mut text = format!("{name} AS (\n  SELECT\n");
    select_lines(&mut text, &items, "    ", false);
    let _ = write!(text, "  FROM {} AS x\n  GROUP BY x.{key}\n)", n.name);
    ctes.push(text);
    Some((name, items.into_iter().skip(1).map(|i| i.col).collect()))
}

/// Picks a model of `pool` that has a key or attribute column named `col`.
fn find_partner(rng: &mut Rng, nodes: &[Node], pool: &[usize], col: &str, exclude: &[usize]) -> Option<usize> {
    for _ in 0..16 {
        let c = *rng.pick(pool);
        if !exclude.contains(&c)
            && nodes[c].cols.iter().any(|x| x.name == col && matches!(x.role, Role::Key | Role::Attr))
        {
            return Some(c);
        }
    }
    None
}

fn select_lines(q: &mut String, items: &[Item], indent: &str, docs: bool) {
    for (i, it) in items.iter().enumerate() {
        q.push_str(indent);
        q.push_str(&it.expr);
        let plain =
            !it.expr.contains('(') && (it.expr == it.col.name || it.expr.ends_with(&format!(".{}", it.col.name)));
        if !plain {
            let _ = write!(q, " AS {}", it.col.name);
        }
        if i + 1 < items.len() {
            q.push(',');
        }
        if docs {
            let _ = write!(q, " -- {}", it.col.desc);
        }
        q.push('\n');
    }
}

struct Header<'a> {
    name: &'a str,
    kind: String,
    props: Vec<String>,
    description: String,
    /// Column docs as trailing comments on the projections instead of `column_descriptions`.
    inline_docs: bool,
}

/// Writes `MODEL (...)`, the CTEs, the final projection and `tail`, and returns the model's node.
#[allow(clippy::too_many_arguments)]
fn finish(
    out: &mut Writer,
    dir: &str,
    h: Header,
    ctes: &[String],
    items: Vec<Item>,
    tail: &str,
    kind: Kind,
    domain: usize,
    entity: usize,
    deps: Vec<usize>,
) -> io::Result<Node> {
    let mut q = format!("MODEL (\n  name {},\n  kind {},\n", h.name, h.kind);
    for p in &h.props {
        let _ = writeln!(q, "  {p},");
    }
    if h.inline_docs {
        let _ = writeln!(q, "  description '{}'\n);\n", h.description);
    } else {
        let _ = writeln!(q, "  description '{}',\n  column_descriptions (", h.description);
        for (i, it) in items.iter().enumerate() {
            let _ =
                writeln!(q, "    {} = '{}'{}", it.col.name, it.col.desc, if i + 1 < items.len() { "," } else { "" });
        }
        q.push_str("  )\n);\n\n");
    }
    if !ctes.is_empty() {
        let _ = writeln!(q, "WITH {}", ctes.join(",\n"));
    }
    q.push_str("SELECT\n");
    select_lines(&mut q, &items, "  ", h.inline_docs);
    q.push_str(tail);
    let file = h.name.split_once('.').map_or(h.name, |(_, t)| t);
    out.write(&format!("models/{dir}/{file}.sql"), &q)?;
    let cols = items.into_iter().map(|i| i.col).collect();
    Ok(Node { name: h.name.to_string(), kind, domain, entity, cols, deps })
}

pub(super) fn seed_model(seed: &Seed, out: &mut Writer) -> io::Result<Node> {
    let header: Vec<&str> = std::iter::once(seed.key).chain(seed.values.iter().map(|v| v.0)).collect();
    out.write(&format!("seeds/{}.csv", seed.name), &format!("{}\n{}\n", header.join(","), seed.rows.join("\n")))?;
    let mut cols = vec![col(seed.key, "TEXT", Role::Attr, format!("{} (join key)", title(seed.key)))];
    for (name, ty, desc) in seed.values {
        cols.push(col(*name, ty, if *ty == "TEXT" { Role::Attr } else { Role::Measure }, *desc));
    }
    let mut q = format!(
        "MODEL (\n  name seeds.{},\n  kind SEED (\n    path '../../seeds/{}.csv'\n  ),\n",
        seed.name, seed.name
    );
    let _ = writeln!(q, "  owner 'data-platform',\n  grain {},\n  tags (seed, reference),", seed.key);
    let _ = writeln!(
        q,
        "  description '{} reference data, maintained by hand in seeds/{}.csv',\n  columns (",
        title(seed.name),
        seed.name
    );
    for (i, c) in cols.iter().enumerate() {
        let _ = writeln!(q, "    {} {}{}", c.name, c.ty, if i + 1 < cols.len() { "," } else { "" });
    }
    q.push_str("  ),\n  column_descriptions (\n");
    for (i, c) in cols.iter().enumerate() {
        let _ = writeln!(q, "    {} = '{}'{}", c.name, c.desc, if i + 1 < cols.len() { "," } else { "" });
    }
    q.push_str("  )\n);\n");
    out.write(&format!("models/seeds/{}.sql", seed.name), &q)?;
    Ok(Node { name: format!("seeds.{}", seed.name), kind: Kind::Seed, domain: 0, entity: 0, cols, deps: vec![] })
}

pub(super) fn staging(rng: &mut Rng, s: usize, suffix: &str, out: &mut Writer) -> io::Result<Node> {
    let src = &SOURCES[s];
    let raw = format!("raw_{}.{}{}", src.system, src.table, suffix);
    let name = format!("staging.stg_{}__{}{}", src.system, src.table, suffix);
    let ent = words(src.entity);
    let pk = format!("{}_id", src.entity);
    let mut items = vec![item("id", col(pk.clone(), "BIGINT", Role::Key, format!("Unique identifier of the {ent}")))];
    for fk in src.fks {
        items.push(item(*fk, col(*fk, "BIGINT", Role::Key, format!("Identifier of the {} of the {ent}", words(fk)))));
    }
    items.push(item(
        "created_at",
        col("event_ts", "TIMESTAMP", Role::Ts, format!("Time the {ent} was created in {}, UTC", src.system)),
    ));
    items.push(item(
        "updated_at",
        col("updated_at", "TIMESTAMP", Role::Ts, format!("Time the {ent} last changed in {}, UTC", src.system)),
    ));
    for (m, ty) in src.measures {
        items.push(match m.strip_suffix("_cents") {
            Some(b) => item(
                format!("@cents_to_dollars({m})"),
                col(b, "DECIMAL(18, 2)", Role::Measure, format!("{} in the transaction currency", title(b))),
            ),
            None if *ty == "INTEGER" => {
                item(*m, col(*m, "INTEGER", Role::Measure, format!("{} of the {ent}", title(m))))
            }
            None => item(
                format!("CAST({m} AS DOUBLE)"),
                col(*m, "DOUBLE", Role::Measure, format!("{} of the {ent}", title(m))),
            ),
        });
    }
    for a in src.attrs {
        let f = if a.ends_with("_code") { "UPPER" } else { "LOWER" };
        items.push(item(
            format!("{f}(TRIM({a}))"),
            col(*a, "TEXT", Role::Attr, format!("{} of the {ent}, normalized", title(a))),
        ));
    }
    for f in src.flags {
        let what = f.trim_start_matches("is_").replace('_', " ");
        items.push(item(
            format!("COALESCE({f}, FALSE)"),
            col(*f, "BOOLEAN", Role::Flag, format!("True when the {ent} is {what}")),
        ));
    }
    let mut props =
        vec![format!("owner 'data-platform'"), format!("tags (staging, {})", src.system), format!("grain {pk}")];
    if rng.chance(50) {
        props.insert(1, format!("cron {}", cron(rng)));
    }
    if rng.chance(50) {
        props.push(format!("audits (not_null(columns := ({pk})))"));
    }
    let description =
        format!("{} from {raw}, renamed and typed with soft-deleted rows removed. One row per {ent}", title(src.table));
    let mut tail = format!("FROM {raw}\nWHERE\n  NOT COALESCE(_is_deleted, FALSE)\n");
    if rng.chance(30) {
        tail.push_str("QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY _loaded_at DESC) = 1\n");
    }
    let h = Header { name: &name, kind: "VIEW".into(), props, description, inline_docs: rng.chance(25) };
    finish(out, &format!("staging/{}", src.system), h, &[], items, &tail, Kind::Staging, src.domain, s, vec![])
}

pub(super) fn intermediate(
    rng: &mut Rng,
    nodes: &[Node],
    name: String,
    primary: usize,
    secondaries: &[(usize, String)],
    seeds: &[usize],
    out: &mut Writer,
) -> io::Result<Node> {
    let p = &nodes[primary];
    let src = &SOURCES[p.entity];
    let a = &src.entity[..1];
    let spine = |c: &Col| c.role == Role::Key || c.name == "event_ts";
    let others: Vec<usize> = (0..p.cols.len()).filter(|&i| !spine(&p.cols[i])).collect();
    let mut keep: Vec<bool> = p.cols.iter().map(spine).collect();
    for _ in 0..2 + rng.below(2) - usize::from(secondaries.len() > 2) {
        if !others.is_empty() {
            keep[*rng.pick(&others)] = true;
        }
    }
    // A seed lookup on one of the primary's attributes.
    let mut seed_join = None;
    if rng.chance(40) && !seeds.is_empty() && secondaries.len() < 3 {
        let start = rng.below(seeds.len());
        for k in 0..seeds.len() {
            let s = seeds[(start + k) % seeds.len()];
            if let Some(i) = p.cols.iter().position(|c| c.name == nodes[s].cols[0].name) {
                keep[i] = true;
                seed_join = Some(s);
                break;
            }
        }
    }
    let basecols: Vec<&Col> = p.cols.iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c).collect();
    let mut taken: HashSet<String> = basecols.iter().map(|c| c.name.clone()).collect();
    let key0 = basecols[0].name.clone();
    let measures: Vec<&Col> = basecols.iter().copied().filter(|c| c.role == Role::Measure).collect();
    let flag = basecols.iter().find(|c| c.role == Role::Flag);

    let dedup = rng.chance(20);
    let mut base_items: Vec<Item> = basecols.iter().map(|c| pass(a, c)).collect();
    let mut base_q = format!("{} AS (\n  SELECT\n", src.table);
    select_lines(&mut base_q, &base_items, "    ", false);
    let _ = writeln!(base_q, "  FROM {} AS {a}\n  WHERE\n    {a}.event_ts BETWEEN @start_ts AND @end_ts", p.name);
    let mut desc = format!("{} from {}", title(src.table), p.name);
    if dedup {
        let _ =
            writeln!(base_q, "  QUALIFY ROW_NUMBER() OVER (PARTITION BY {a}.{key0} ORDER BY {a}.event_ts DESC) = 1");
        let _ = write!(desc, ", keeping the latest row per {key0}");
    } else if let (Some(f), true) = (flag, rng.chance(30)) {
        let _ = writeln!(base_q, "    AND NOT {a}.{}", f.name);
        let _ = write!(desc, " where {} is false", f.name);
    } else if let (Some(m), true) = (measures.first(), rng.chance(30)) {
        let _ = writeln!(base_q, "    AND {a}.{} > 0", m.name);
        let _ = write!(desc, " with a positive {}", m.name);
    }
    base_q.push(')');
    let mut ctes = vec![base_q];

    let mut tail = format!("FROM {} AS {a}\n", src.table);
    let mut deps = vec![primary];
    let mut joined = Vec::new();
    for (i, (s, key)) in secondaries.iter().enumerate() {
        let max_aggs = if base_items.len() > 9 || secondaries.len() > 2 { 1 } else { 2 };
        let Some((cte, cols)) = keyed_cte(rng, nodes, *s, key, &mut ctes, &mut taken, max_aggs) else { continue };
        let j = format!("j{}", i + 1);
        base_items.extend(cols.iter().map(|c| pass(&j, c)));
        let join = if rng.chance(15) { "INNER JOIN" } else { "LEFT JOIN" };
        let _ = writeln!(tail, "{join} {cte} AS {j}\n  ON {a}.{key} = {j}.{key}");
        deps.push(*s);
        joined.push(nodes[*s].name.as_str());
    }
    if let Some(s) = seed_join {
        let sn = &nodes[s];
        let sa: String = sn.name[6..].split('_').filter_map(|w| w.chars().next()).collect();
        let fresh: Vec<&Col> = sn.cols[1..].iter().filter(|c| !taken.contains(&c.name)).collect();
        if !fresh.is_empty() {
            taken.extend(fresh.iter().map(|c| c.name.clone()));
            base_items.extend(fresh.iter().map(|c| pass(&sa, c)));
            let _ = writeln!(tail, "LEFT JOIN {} AS {sa}\n  ON {a}.{k} = {sa}.{k}", sn.name, k = sn.cols[0].name);
            deps.push(s);
            joined.push(sn.name.as_str());
        }
    }
    if !joined.is_empty() {
        let _ = write!(desc, ", enriched with {}", joined.join(", "));
    }
    // Row-level derived columns.
    if let (Some(m), true) = (measures.first(), rng.chance(55)) {
        let name = format!("{}_band", base(&m.name));
        let expr = if rng.chance(30) {
            format!(
                "CASE WHEN {a}.{m} >= @VAR('high_value_threshold', 500) THEN 'high' WHEN {a}.{m} > 0 THEN 'standard' ELSE 'none' END",
                m = m.name
            )
        } else {
            let hi = [100, 500, 1000][rng.below(3)];
            format!(
                "CASE WHEN {a}.{m} >= {hi} THEN 'high' WHEN {a}.{m} >= {} THEN 'medium' ELSE 'low' END",
                hi / 10,
                m = m.name
            )
        };
        if taken.insert(name.clone()) {
            base_items.push(item(expr, col(name, "TEXT", Role::Derived, format!("Size band of {}", m.name))));
        }
    }
    let ratio: Vec<&&Col> = measures.iter().filter(|c| !c.name.contains("_per_")).collect();
    if ratio.len() >= 2 && rng.chance(40) {
        let (m1, m2) = (&ratio[0].name, &ratio[1].name);
        let name = format!("{}_per_{}", base(m1), base(m2));
        if taken.insert(name.clone()) {
            base_items.push(item(
                format!("@safe_divide({a}.{m1}, {a}.{m2})"),
                col(name, "DOUBLE", Role::Measure, format!("{m1} divided by {m2}")),
            ));
        }
    }
    let key_name = format!("{}_event_key", src.entity);
    if rng.chance(20) && taken.insert(key_name.clone()) {
        base_items.push(item(
            format!("@surrogate_key({a}.{key0}, {a}.event_ts)"),
            col(key_name, "TEXT", Role::Derived, format!("Hash of {key0} and event_ts")),
        ));
    }

    let domain = p.domain;
    let mut kind = String::from("INCREMENTAL_BY_TIME_RANGE (\n    time_column event_ts");
    if rng.chance(30) {
        kind.push_str(",\n    batch_size 30");
    }
    if rng.chance(15) {
        kind.push_str(",\n    lookback 2");
    }
    kind.push_str("\n  )");
    let mut tags = format!("intermediate, {}", DOMAINS[domain]);
    if taken.contains("customer_id") && rng.chance(30) {
        tags.push_str(", pii");
    }
    let grain = if dedup { key0.clone() } else { format!("({key0}, event_ts)") };
    let mut props = vec![
        format!("owner '{}'", OWNERS[domain]),
        format!("cron {}", cron(rng)),
        format!("tags ({tags})"),
        format!("grain {grain}"),
    ];
    if rng.chance(25) {
        props.push(format!("audits (not_null(columns := ({key0}, event_ts)))"));
    }
    desc.push_str(". Processed incrementally by event_ts");
    let h = Header { name: &name, kind, props, description: desc, inline_docs: rng.chance(25) };
    // The base CTE is aliased like the primary inside it, so its projections read the same.
    finish(
        out,
        &format!("intermediate/{}", DOMAINS[domain]),
        h,
        &ctes,
        base_items,
        &tail,
        Kind::Intermediate,
        domain,
        p.entity,
        deps,
    )
}

fn mart_props(rng: &mut Rng, domain: usize, kind: &str, grain: &str) -> Vec<String> {
    let cron = if rng.chance(50) { "'0 6 * * *'" } else { cron(rng) };
    vec![
        format!("owner '{}'", OWNERS[domain]),
        format!("cron {cron}"),
        format!("tags (mart, {kind}, {})", DOMAINS[domain]),
        format!("grain {grain}"),
    ]
}

/// A `FULL` daily rollup of one intermediate by day and one dimension, with window columns.
pub(super) fn mart_daily(
    rng: &mut Rng,
    nodes: &[Node],
    seq: usize,
    primary: usize,
    pool: &[usize],
    out: &mut Writer,
) -> io::Result<Node> {
    let p = &nodes[primary];
    let src = &SOURCES[p.entity];
    let attrs: Vec<&Col> = p.cols.iter().filter(|c| c.role == Role::Attr).collect();
    let keys: Vec<&Col> = p.cols.iter().filter(|c| c.role == Role::Key).collect();
    let dim = if !attrs.is_empty() && rng.chance(60) { *rng.pick(&attrs) } else { *rng.pick(&keys) };
    let d = dim.name.as_str();
    let name = format!("analytics.daily_{}_by_{}_{seq:04}", src.table, d.trim_end_matches("_id"));
    let day = "CAST(DATE_TRUNC('day', u.event_ts) AS DATE)";
    let mut taken: HashSet<String> = ["event_date", d, "row_count"].map(String::from).into();
    let mut inner = vec![
        item(day, col("event_date", "DATE", Role::Date, "Calendar day of event_ts, UTC")),
        pass("u", dim),
        item("COUNT(*)", col("row_count", "BIGINT", Role::Measure, format!("Number of rows of {} that day", p.name))),
    ];
    let measures: Vec<&Col> = p.cols.iter().filter(|c| c.role == Role::Measure).collect();
    for m in shuffled(rng, measures).into_iter().take(3) {
        inner.extend(aggregate(rng, "u", m, &mut taken, &format!("day and {d}"), &p.name, src.entity));
    }
    let mut cte = String::from("daily AS (\n  SELECT\n");
    select_lines(&mut cte, &inner, "    ", false);
    let _ = write!(cte, "  FROM {} AS u\n  GROUP BY\n    {day},\n    u.{d}\n)", p.name);
    let mut ctes = vec![cte];
    let mut items: Vec<Item> = inner.iter().map(|i| pass("d", &i.col)).collect();
    let mut tail = String::from("FROM daily AS d\n");
    let mut deps = vec![primary];
    let mut desc = format!("Daily {} per {d} from {}", words(src.table), p.name);
    let partner = if rng.chance(35) { find_partner(rng, nodes, pool, d, &deps) } else { None };
    if let Some((s, (cte, cols))) =
        partner.and_then(|s| Some((s, keyed_cte(rng, nodes, s, d, &mut ctes, &mut taken, 1)?)))
    {
        items.extend(cols.iter().map(|c| pass("j1", c)));
        let _ = writeln!(tail, "LEFT JOIN {cte} AS j1\n  ON d.{d} = j1.{d}");
        let _ = write!(desc, ", compared with {}", nodes[s].name);
        deps.push(s);
    }
    // Windows read the daily CTE only (`d`), never the partner's columns.
    let total =
        inner.iter().find(|i| i.col.name.starts_with("total_")).map_or("row_count".to_string(), |i| i.col.name.clone());
    let cum = format!("cumulative_{}", base(&total));
    let part = format!("PARTITION BY d.{d} ORDER BY d.event_date");
    if taken.insert(cum.clone()) {
        let expr = format!("SUM(d.{total}) OVER ({part} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)");
        items.push(item(expr, col(cum, "DOUBLE", Role::Measure, format!("Running total of {total} per {d}"))));
    }
    if rng.chance(50) && taken.insert("previous_row_count".into()) {
        items.push(item(
            format!("LAG(d.row_count) OVER ({part})"),
            col("previous_row_count", "BIGINT", Role::Measure, "row_count of the previous day with rows"),
        ));
    }
    if taken.insert("volume_band".into()) {
        let expr = "CASE WHEN d.row_count >= 1000 THEN 'high' WHEN d.row_count >= 100 THEN 'medium' ELSE 'low' END";
        items.push(item(expr, col("volume_band", "TEXT", Role::Derived, "Volume band of row_count")));
    }
    let mut props = mart_props(rng, p.domain, "daily", &format!("(event_date, {d})"));
    if rng.chance(30) {
        props.push("audits (not_null(columns := (event_date)), assert_non_negative(column := row_count))".into());
    }
    let h = Header { name: &name, kind: "FULL".into(), props, description: desc, inline_docs: rng.chance(25) };
    finish(out, &format!("marts/{}", DOMAINS[p.domain]), h, &ctes, items, &tail, Kind::Mart, p.domain, p.entity, deps)
}

/// An `INCREMENTAL_BY_UNIQUE_KEY` summary of one intermediate per key, with audits.
pub(super) fn mart_entity(
    rng: &mut Rng,
    nodes: &[Node],
    seq: usize,
    primary: usize,
    pool: &[usize],
    out: &mut Writer,
) -> io::Result<Node> {
    let p = &nodes[primary];
    let src = &SOURCES[p.entity];
    let keys: Vec<&Col> = p.cols.iter().filter(|c| c.role == Role::Key).collect();
    let key = *rng.pick(&keys);
    let k = key.name.as_str();
    let kw = k.trim_end_matches("_id");
    let name = if kw == src.entity {
        format!("reporting.{}_summary_{seq:04}", src.table)
    } else {
        format!("reporting.{kw}_{}_summary_{seq:04}", src.table)
    };
    let mut taken: HashSet<String> = [k, "first_event_ts", "last_event_ts", "event_count"].map(String::from).into();
    let mut items = vec![
        pass("u", key),
        item(
            "MIN(u.event_ts)",
            col("first_event_ts", "TIMESTAMP", Role::Ts, format!("First event_ts of the {} in {}", words(k), p.name)),
        ),
        item(
            "MAX(u.event_ts)",
            col("last_event_ts", "TIMESTAMP", Role::Ts, format!("Last event_ts of the {} in {}", words(k), p.name)),
        ),
        item("COUNT(*)", col("event_count", "BIGINT", Role::Measure, format!("Number of rows of {} per {k}", p.name))),
    ];
    let cands: Vec<&Col> =
        p.cols.iter().filter(|c| matches!(c.role, Role::Measure | Role::Attr | Role::Flag) && c.name != k).collect();
    for c in shuffled(rng, cands).into_iter().take(4) {
        items.extend(aggregate(rng, "u", c, &mut taken, k, &p.name, src.entity));
    }
    let mut ctes = Vec::new();
    let mut tail = format!("FROM {} AS u\n", p.name);
    let mut deps = vec![primary];
    let mut desc = format!("One row per {k} summarizing {}", p.name);
    let partner = if rng.chance(40) { find_partner(rng, nodes, pool, k, &deps) } else { None };
    if let Some((s, (cte, cols))) =
        partner.and_then(|s| Some((s, keyed_cte(rng, nodes, s, k, &mut ctes, &mut taken, 2)?)))
    {
        items.extend(cols.iter().map(|c| item(format!("ANY_VALUE(j1.{})", c.name), c.clone())));
        let _ = writeln!(tail, "LEFT JOIN {cte} AS j1\n  ON u.{k} = j1.{k}");
        let _ = write!(desc, " and {}", nodes[s].name);
        deps.push(s);
    }
    let _ = write!(tail, "WHERE\n  u.event_ts <= @end_ts\nGROUP BY\n  u.{k}\n");
    let mut audits = vec![
        format!("not_null(columns := ({k}))"),
        format!("unique_values(columns := ({k}))"),
        "assert_non_negative(column := event_count)".to_string(),
    ];
    if rng.chance(30) {
        audits.push("assert_not_in_future(column := last_event_ts)".into());
    }
    let mut props = mart_props(rng, p.domain, "summary", k);
    props.push(format!("audits (\n    {}\n  )", audits.join(",\n    ")));
    desc.push_str(", upserted by key");
    let kind = format!("INCREMENTAL_BY_UNIQUE_KEY (\n    unique_key {k}\n  )");
    let h = Header { name: &name, kind, props, description: desc, inline_docs: rng.chance(25) };
    finish(out, &format!("marts/{}", DOMAINS[p.domain]), h, &ctes, items, &tail, Kind::Mart, p.domain, p.entity, deps)
}

/// A `FULL` report over another mart, joined with 1-2 more models, with ranks and shares.
pub(super) fn mart_report(
    rng: &mut Rng,
    nodes: &[Node],
    seq: usize,
    primary: usize,
    pool: &[usize],
    out: &mut Writer,
) -> io::Result<Node> {
    let p = &nodes[primary];
    let src = &SOURCES[p.entity];
    let (mut dims, mut measures, mut ts) = (0, 0, 0);
    let passed: Vec<&Col> = p
        .cols
        .iter()
        .filter(|c| match c.role {
            Role::Key | Role::Attr | Role::Date => (dims < 4).then(|| dims += 1).is_some(),
            Role::Measure => (measures < 4).then(|| measures += 1).is_some(),
            Role::Ts => (ts < 1).then(|| ts += 1).is_some(),
            _ => false,
        })
        .collect();
    let joinable: Vec<&Col> = passed.iter().copied().filter(|c| matches!(c.role, Role::Key | Role::Attr)).collect();
    let dimword = joinable.first().map_or("overview", |c| c.name.trim_end_matches("_id"));
    let name = match dimword.strip_prefix(src.entity).map(|w| w.trim_start_matches('_')) {
        Some("") => format!("reporting.{}_report_{seq:04}", src.entity),
        Some(rest) => format!("reporting.{}_{rest}_report_{seq:04}", src.entity),
        None => format!("reporting.{}_{dimword}_report_{seq:04}", src.entity),
    };
    let mut taken: HashSet<String> = passed.iter().map(|c| c.name.clone()).collect();
    let mut items: Vec<Item> = passed.iter().map(|c| pass("p", c)).collect();
    let mut ctes = Vec::new();
    let mut tail = format!("FROM {} AS p\n", p.name);
    let mut deps = vec![primary];
    let mut joined = Vec::new();
    for _ in 0..1 + rng.below(2) {
        let Some(jc) = (!joinable.is_empty()).then(|| *rng.pick(&joinable)) else { break };
        let Some(s) = find_partner(rng, nodes, pool, &jc.name, &deps) else { continue };
        let Some((cte, cols)) = keyed_cte(rng, nodes, s, &jc.name, &mut ctes, &mut taken, 2) else { continue };
        let j = format!("j{}", deps.len());
        items.extend(cols.iter().map(|c| pass(&j, c)));
        let _ = writeln!(tail, "LEFT JOIN {cte} AS {j}\n  ON p.{c} = {j}.{c}", c = jc.name);
        joined.push(nodes[s].name.as_str());
        deps.push(s);
    }
    if let Some(m) = passed.iter().find(|c| c.role == Role::Measure) {
        let (m, b) = (&m.name, base(&m.name));
        let part = match passed.iter().find(|c| c.role == Role::Attr) {
            Some(a) if rng.chance(50) => format!("PARTITION BY p.{} ", a.name),
            _ => String::new(),
        };
        if taken.insert(format!("{b}_rank")) {
            items.push(item(
                format!("RANK() OVER ({part}ORDER BY p.{m} DESC NULLS LAST)"),
                col(format!("{b}_rank"), "BIGINT", Role::Derived, format!("Rank by {m}, highest first")),
            ));
        }
        if rng.chance(50) && taken.insert(format!("{b}_share")) {
            items.push(item(
                format!("@safe_divide(p.{m}, SUM(p.{m}) OVER ())"),
                col(format!("{b}_share"), "DOUBLE", Role::Derived, format!("Share of {m} in the total")),
            ));
        }
        if rng.chance(40) && taken.insert(format!("{b}_status")) {
            let expr =
                format!("CASE WHEN p.{m} IS NULL THEN 'missing' WHEN p.{m} > 0 THEN 'active' ELSE 'inactive' END");
            items.push(item(
                expr,
                col(format!("{b}_status"), "TEXT", Role::Derived, format!("Activity status from {m}")),
            ));
        }
    }
    let grain = joinable.first().map_or("()".to_string(), |c| c.name.clone());
    let mut props = mart_props(rng, p.domain, "report", &grain);
    if joinable.is_empty() {
        props.pop();
    }
    let mut desc = format!("Report of {} per {dimword} from {}", words(src.table), p.name);
    if !joined.is_empty() {
        let _ = write!(desc, ", joined with {}", joined.join(" and "));
    }
    let h = Header { name: &name, kind: "FULL".into(), props, description: desc, inline_docs: rng.chance(25) };
    finish(out, &format!("marts/{}", DOMAINS[p.domain]), h, &ctes, items, &tail, Kind::Mart, p.domain, p.entity, deps)
}

/// A Python model scoring the rows of one mart with pandas.
pub(super) fn python_model(
    rng: &mut Rng,
    nodes: &[Node],
    seq: usize,
    primary: usize,
    out: &mut Writer,
) -> io::Result<Node> {
    let p = &nodes[primary];
    let src = &SOURCES[p.entity];
    let mut cols: Vec<Col> =
        p.cols.iter().filter(|c| matches!(c.role, Role::Key | Role::Attr | Role::Date)).take(3).cloned().collect();
    let measures: Vec<Col> = p.cols.iter().filter(|c| c.role == Role::Measure).take(2).cloned().collect();
    let score = match measures.first() {
        Some(m) => format!("df[\"{}\"].rank(pct=True).fillna(0.0)", m.name),
        None => "0.0".to_string(),
    };
    let selected: Vec<String> = cols.iter().chain(&measures).map(|c| c.name.clone()).collect();
    cols.extend(measures);
    cols.push(col(
        "percentile_score",
        "DOUBLE",
        Role::Measure,
        format!("Percentile rank of the row within {}, 0 to 1", p.name),
    ));
    let name = format!("analytics.py_{}_scores_{seq:04}", src.entity);
    let desc = format!("Scores rows of {} by percentile with pandas", p.name);
    let ty = |c: &Col| match c.role {
        Role::Key => "bigint",
        Role::Ts => "timestamp",
        Role::Date => "date",
        Role::Flag => "boolean",
        Role::Attr => "text",
        _ => match c.ty {
            "TEXT" => "text",
            "BIGINT" | "INTEGER" | "INT" => "bigint",
            "DECIMAL(18, 2)" => "decimal(18, 2)",
            _ => "double",
        },
    };
    let mut q = format!(
        "\"\"\"{desc}.\"\"\"\n\nimport typing as t\nfrom datetime import datetime\n\nimport pandas as pd\n\nfrom sqlmesh import ExecutionContext, model\n\n\n"
    );
    let cron = ["@daily", "@weekly", "0 7 * * *"][rng.below(3)];
    let _ = write!(
        q,
        "@model(\n    \"{name}\",\n    kind=\"FULL\",\n    cron=\"{cron}\",\n    owner=\"data-science\",\n    tags=[\"python\", \"{}\"],\n",
        DOMAINS[p.domain]
    );
    let _ = write!(q, "    description=\"{desc}\",\n    depends_on=[\"{}\"],\n    columns={{\n", p.name);
    for c in &cols {
        let _ = writeln!(q, "        \"{}\": \"{}\",", c.name, ty(c));
    }
    q.push_str("    },\n    column_descriptions={\n");
    for c in &cols {
        let _ = writeln!(q, "        \"{}\": \"{}\",", c.name, c.desc);
    }
    q.push_str("    },\n)\ndef execute(\n    context: ExecutionContext,\n    start: datetime,\n    end: datetime,\n    execution_time: datetime,\n    **kwargs: t.Any,\n) -> pd.DataFrame:\n");
    let _ = write!(
        q,
        "    table = context.resolve_table(\"{}\")\n    df = context.fetchdf(f\"SELECT {} FROM {{table}}\")\n",
        p.name,
        selected.join(", ")
    );
    let _ = write!(q, "    df[\"percentile_score\"] = {score}\n    return df\n");
    let file = &name["analytics.".len()..];
    out.write(&format!("models/python/{file}.py"), &q)?;
    Ok(Node { name, kind: Kind::Python, domain: p.domain, entity: p.entity, cols, deps: vec![primary] })
}
