//! The Dagster backend: one self-contained Python module, importing only `dagster`, `sqlmesh`
//! and the standard library, with
//! - one `AssetSpec` per model (key, deps, group, tags, owners, kinds, metadata with the
//!   columns as a `TableSchema`, `code_version`, `AutomationCondition.on_cron`), and one per
//!   external table, with no materializer;
//! - one `AssetCheckSpec` per audit a model runs, blocking as the audit is;
//! - one `multi_asset(can_subset=True)` that runs SQLMesh's `Context.run(select_models=...)`
//!   for the selected models and reports a `MaterializeResult` per model that ran and an
//!   `AssetCheckResult` per audit (`dagster_runtime.py`);
//! - one `ScheduleDefinition` per time zone whose crons are every cron of its models.
//!
//! The text is what `ruff format` leaves (the Dagster tests run `ruff format --check` on it)
//! and the same for the same plan, byte for byte.

use super::generate::Location;
use super::python::{Arg, Py, write};
use super::{Asset, Check, Column, ExternalAsset, Options, Plan, identifier};
use rayon::prelude::*;
use std::path::Path;

/// The runtime part of the module, the same in every one.
const RUNTIME: &str = include_str!("dagster_runtime.py");

/// The module for `plan`.
pub fn module(plan: &Plan, options: &Options, location: &Location) -> String {
    // About 3.7 kB a model: one allocation instead of doubling up to tens of megabytes.
    let mut out = String::with_capacity(8192 + plan.assets.len() * 4096 + plan.external.len() * 1024);
    header(&mut out, location);
    out.push_str("import os\nfrom typing import Optional\n\nimport dagster as dg\nfrom sqlmesh import Context\n");
    out.push_str("from sqlmesh.core.console import NoopConsole\n");
    out.push_str("from sqlmesh.core.notification_target import NotificationEvent\n");
    out.push_str("from sqlmesh.utils.errors import NodeAuditsErrors\n\n");
    out.push_str("# The SQLMesh project, found from this file's folder.\n");
    let join = Py::call(
        "os.path.join",
        vec![
            Arg::Pos(Py::call(
                "os.path.dirname",
                vec![Arg::Pos(Py::call("os.path.abspath", vec![Arg::Pos(Py::raw("__file__"))]))],
            )),
            Arg::Pos(Py::str(&location.project_from_module)),
        ],
    );
    write(&mut out, 0, "SQLMESH_PROJECT = ", &Py::call("os.path.normpath", vec![Arg::Pos(join)]), "");
    out.push_str("# Defaults of the run's config (`SQLMeshRunConfig`); secrets stay in SQLMesh's config.\n");
    write(&mut out, 0, "SQLMESH_GATEWAY = ", &Py::opt_str(options.gateway.as_deref()), "");
    write(&mut out, 0, "SQLMESH_ENVIRONMENT = ", &Py::str(options.environment.as_deref().unwrap_or("prod")), "");
    out.push_str("\n\n");
    out.push_str(RUNTIME);
    out.push_str("\n\n");

    out.push_str("# Tables SQLMesh reads but does not build: Dagster shows them, never materializes them.\n");
    write_collection(&mut out, "EXTERNAL_ASSETS", &plan.external, |a| (None, external_spec(a)));
    out.push_str("\n# One asset per SQLMesh model.\n");
    write_collection(&mut out, "MODEL_ASSETS", &plan.assets, |a| (None, model_spec(a)));
    out.push_str("\n# One check per audit a model runs.\n");
    let checks: Vec<(&Asset, &Check)> = plan.assets.iter().flat_map(|a| a.checks.iter().map(move |c| (a, c))).collect();
    write_collection(&mut out, "ASSET_CHECKS", &checks, |(a, c)| (None, check_spec(a, c)));
    out.push_str("\n# SQLMesh model name -> asset key.\n");
    write_collection(&mut out, "MODELS", &plan.assets, |a| (Some(Py::str(&a.model)), asset_key(&a.key)));
    out.push_str("# SQLMesh model name -> its checks: (check name, audit, blocking, arguments).\n");
    let with_checks: Vec<&Asset> = plan.assets.iter().filter(|a| !a.checks.is_empty()).collect();
    write_collection(&mut out, "CHECKS", &with_checks, |a| {
        (Some(Py::str(&a.model)), Py::List(a.checks.iter().map(check_entry).collect()))
    });
    out.push_str("\n\n");

    let name = options.name.as_deref().map_or_else(|| "sqlmesh".to_string(), identifier);
    let mut op_tags: Vec<(Py, Py)> = vec![(Py::str("dagster/concurrency_key"), Py::str("sqlmesh"))];
    op_tags.extend(
        options.op_tags.iter().filter(|(k, _)| *k != "dagster/concurrency_key").map(|(k, v)| (Py::str(k), Py::str(v))),
    );
    let mut args = vec![
        Arg::Kw("name", Py::str(&name)),
        Arg::Kw("specs", Py::raw("MODEL_ASSETS")),
        Arg::Kw("check_specs", Py::raw("ASSET_CHECKS")),
        Arg::Kw("can_subset", Py::raw("True")),
        Arg::Kw("op_tags", Py::Dict(op_tags)),
    ];
    if let Some(retry) = options.retry_policy {
        let mut retry_args = vec![Arg::Kw("max_retries", Py::raw(retry.max_retries.to_string()))];
        if let Some(delay) = retry.delay {
            retry_args.push(Arg::Kw("delay", Py::raw(delay.to_string())));
        }
        args.push(Arg::Kw("retry_policy", Py::call("dg.RetryPolicy", retry_args)));
    }
    write(&mut out, 0, "@", &Py::call("dg.multi_asset", args), "");
    out.push_str(&format!(
        "def {name}(context: dg.AssetExecutionContext, config: SQLMeshRunConfig):\n    \
         yield from run_sqlmesh(context, config)\n\n\n"
    ));

    out.push_str("# Each schedule fires at every cron of its models; SQLMesh runs the models that are due.\n");
    let several = plan.schedules.len() > 1;
    let schedules: Vec<Py> = plan
        .schedules
        .iter()
        .map(|s| {
            let schedule_name = if several {
                format!("{name}_schedule_{}", identifier(&s.timezone).to_lowercase())
            } else {
                format!("{name}_schedule")
            };
            Py::call(
                "dg.ScheduleDefinition",
                vec![
                    Arg::Kw("name", Py::str(schedule_name)),
                    Arg::Kw("cron_schedule", Py::strs(&s.crons)),
                    Arg::Kw("execution_timezone", Py::str(&s.timezone)),
                    Arg::Kw(
                        "target",
                        Py::call("dg.AssetSelection.assets", s.assets.iter().map(|k| Arg::Pos(asset_key(k))).collect()),
                    ),
                ],
            )
        })
        .collect();
    write(&mut out, 0, "SCHEDULES = ", &Py::List(schedules), "");
    out.push('\n');
    write(
        &mut out,
        0,
        "defs = ",
        &Py::call(
            "dg.Definitions",
            vec![
                Arg::Kw("assets", Py::List(vec![Py::raw("*EXTERNAL_ASSETS"), Py::raw(&name)])),
                Arg::Kw("schedules", Py::raw("SCHEDULES")),
            ],
        ),
        "",
    );
    out
}

/// `NAME = [...]` (`{...}` for the `MODELS` and `CHECKS` dicts), each item made as written, in
/// parallel: the whole list of a 10,000-model project is never held as one expression. A list
/// of more than three of these items never fits on one line (each takes 30 columns or more),
/// so only a shorter one is measured as a whole.
fn write_collection<T: Sync>(out: &mut String, name: &str, items: &[T], item: impl Fn(&T) -> (Option<Py>, Py) + Sync) {
    /// Items written per task: enough to outweigh the task, few enough to share the cores.
    const CHUNK: usize = 128;
    let dict = matches!(name, "MODELS" | "CHECKS");
    if items.len() <= 3 {
        let items = items.iter().map(item);
        let expr = if dict {
            Py::Dict(items.filter_map(|(k, v)| Some((k?, v))).collect())
        } else {
            Py::List(items.map(|(_, v)| v).collect())
        };
        write(out, 0, &format!("{name} = "), &expr, "");
        return;
    }
    out.push_str(&format!("{name} = {}\n", if dict { "{" } else { "[" }));
    let texts: Vec<String> = items
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut text = String::with_capacity(chunk.len() * 1024);
            for (key, value) in chunk.iter().map(&item) {
                let prefix = key.map(|k| format!("{}: ", super::python::flat(&k))).unwrap_or_default();
                write(&mut text, 4, &prefix, &value, ",");
            }
            text
        })
        .collect();
    texts.iter().for_each(|text| out.push_str(text));
    out.push_str(if dict { "}\n" } else { "]\n" });
}

fn header(out: &mut String, location: &Location) {
    let relative =
        if Path::new(&location.project_from_module).is_absolute() { "" } else { " (from this file's folder)" };
    // A docstring holds no `"""` and no backslash escapes.
    let safe = |text: &str| text.replace('\\', "/").replace("\"\"\"", "'''");
    out.push_str(&format!(
        "\"\"\"Dagster definitions for the SQLMesh project `{}`.\n\n\
         Generated by meshls {} (`meshls generate dagster`) from the project at\n\
         `{}`{relative}.\n\
         Do not edit it: regenerate it from this file's folder with\n\n    {}\n\n\
         and check that it is current with `--check`.\n\"\"\"\n\n",
        safe(&location.project_name),
        env!("CARGO_PKG_VERSION"),
        safe(&location.project_from_module),
        safe(&location.regenerate),
    ));
}

fn asset_key(key: &[String]) -> Py {
    Py::call("dg.AssetKey", vec![Arg::Pos(Py::strs(key))])
}

fn metadata(entries: &[(String, String)], columns: &[Column]) -> Py {
    let mut items: Vec<(Py, Py)> = entries.iter().map(|(k, v)| (Py::str(k), Py::str(v))).collect();
    if !columns.is_empty() {
        let columns = columns
            .iter()
            .map(|c| {
                let mut args =
                    vec![Arg::Pos(Py::str(&c.name)), Arg::Pos(Py::str(c.data_type.as_deref().unwrap_or("unknown")))];
                if let Some(description) = &c.description {
                    args.push(Arg::Kw("description", Py::str(description)));
                }
                Py::call("dg.TableColumn", args)
            })
            .collect();
        let schema = Py::call("dg.TableSchema", vec![Arg::Kw("columns", Py::List(columns))]);
        items.push((Py::str("dagster/column_schema"), schema));
    }
    Py::Dict(items)
}

fn external_spec(asset: &ExternalAsset) -> Py {
    let mut args = vec![Arg::Kw("key", asset_key(&asset.key))];
    if let Some(description) = &asset.description {
        args.push(Arg::Kw("description", Py::str(description)));
    }
    args.push(Arg::Kw("group_name", Py::str(&asset.group)));
    args.push(Arg::Kw("metadata", metadata(&asset.metadata, &asset.columns)));
    Py::call("dg.AssetSpec", args)
}

fn model_spec(asset: &Asset) -> Py {
    let mut args = vec![
        Arg::Kw("key", asset_key(&asset.key)),
        Arg::Kw("deps", Py::List(asset.deps.iter().map(|d| asset_key(d)).collect())),
    ];
    if let Some(description) = &asset.description {
        args.push(Arg::Kw("description", Py::str(description)));
    }
    args.push(Arg::Kw("group_name", Py::str(&asset.group)));
    args.push(Arg::Kw("code_version", Py::str(&asset.code_version)));
    if !asset.owners.is_empty() {
        args.push(Arg::Kw("owners", Py::strs(&asset.owners)));
    }
    if !asset.tags.is_empty() {
        args.push(Arg::Kw("tags", Py::Dict(asset.tags.iter().map(|(k, v)| (Py::str(k), Py::str(v))).collect())));
    }
    let mut kinds = vec!["sqlmesh".to_string()];
    kinds.extend(asset.engine.iter().cloned());
    args.push(Arg::Kw("kinds", Py::Set(kinds.iter().map(Py::str).collect())));
    args.push(Arg::Kw("skippable", Py::raw("True")));
    if let Some(cron) = &asset.cron.five_field {
        let on_cron = Py::call(
            "dg.AutomationCondition.on_cron",
            vec![Arg::Pos(Py::str(cron)), Arg::Pos(Py::str(&asset.cron.timezone))],
        );
        args.push(Arg::Kw("automation_condition", on_cron));
    }
    args.push(Arg::Kw("metadata", metadata(&asset.metadata, &asset.columns)));
    Py::call("dg.AssetSpec", args)
}

fn check_spec(asset: &Asset, check: &Check) -> Py {
    let mut metadata = vec![(Py::str("sqlmesh/audit"), Py::str(&check.audit))];
    if !check.args.is_empty() {
        let args = check.args.iter().map(|(k, v)| (Py::str(k), Py::str(v))).collect();
        metadata.push((Py::str("sqlmesh/arguments"), Py::Dict(args)));
    }
    if let Some(sql) = &check.sql {
        metadata.push((Py::str("sqlmesh/sql"), Py::str(sql)));
    }
    let mut args = vec![
        Arg::Pos(Py::str(&check.name)),
        Arg::Kw("asset", asset_key(&asset.key)),
        Arg::Kw("blocking", Py::raw(if check.blocking { "True" } else { "False" })),
    ];
    if let Some(description) = &check.description {
        args.push(Arg::Kw("description", Py::str(description)));
    }
    args.push(Arg::Kw("metadata", Py::Dict(metadata)));
    Py::call("dg.AssetCheckSpec", args)
}

fn check_entry(check: &Check) -> Py {
    let args = Py::Dict(check.args.iter().map(|(k, v)| (Py::str(k), Py::str(v))).collect());
    Py::Tuple(vec![
        Py::str(&check.name),
        Py::str(&check.audit),
        Py::raw(if check.blocking { "True" } else { "False" }),
        args,
    ])
}
