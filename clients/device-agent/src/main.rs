//! `assay-agent`: simulates a fleet of Assay devices against a node — hotspots that beacon
//! and witness (and a few cheaters), households' energy meters that trade and settle, and
//! owners that buy inference — then prints what every owner earned by source, from the
//! chain and from its own accounting (`--check`: exit non-zero if they disagree).

mod chain;
mod compute;
mod coverage;
mod dataset;
mod devices;
mod energy;
mod keystore;
mod radio;
mod summary;
mod ui;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use clap::Parser;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use subxt::utils::AccountId32;

use crate::chain::{Account, Chain, UNIT};
use crate::devices::{Device, Owner};
use crate::keystore::{Keystore, Role};
use crate::summary::{Earnings, Row};
use crate::ui::Ui;

/// Simulates a fleet of devices (hotspots, energy meters, inference buyers) against an
/// Assay node and reports what their owners earned.
#[derive(Parser, Debug)]
#[command(name = "assay-agent", version)]
struct Args {
	/// Without a command: run the fleet against a node.
	#[command(subcommand)]
	command: Option<Command>,
	/// The node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The device keystore (JSON): created if missing, reused (same keys, same sites) on the next run.
	#[arg(long, default_value = "assay-agent-keystore.json")]
	keystore: PathBuf,
	/// Device owners: dev accounts (//Name), comma-separated.
	#[arg(long, value_delimiter = ',', default_value = "Bob,Charlie,Dave,Eve,Ferdie")]
	owners: Vec<String>,
	/// Honest hotspots, laid out over the city.
	#[arg(long, default_value_t = 10)]
	hotspots: usize,
	/// Cheating hotspots: alternately spoofers (asserted in Porto, reporting Lisbon beacons) and copycats (copying other witnesses' commitments).
	#[arg(long, default_value_t = 0)]
	cheaters: usize,
	/// Energy meters: alternately prosumers (solar) and consumers.
	#[arg(long, default_value_t = 6)]
	meters: usize,
	/// Proof-of-coverage rounds (one per beacon window).
	#[arg(long, default_value_t = 3)]
	rounds: u32,
	/// Energy delivery slots traded and settled.
	#[arg(long, default_value_t = 3)]
	slots: u32,
	/// Inference jobs to submit (the node must serve inference).
	#[arg(long, default_value_t = 0)]
	jobs: u32,
	/// The fee of each job, in milli-ASY.
	#[arg(long, default_value_t = 100)]
	job_fee_milli: u128,
	/// Centre of the hotspot layout, "lat,lng" (default: Lisbon).
	#[arg(long, default_value = "38.7369,-9.1427", value_parser = parse_point, allow_hyphen_values = true)]
	center: (f64, f64),
	/// Radius of the hotspot layout, metres.
	#[arg(long, default_value_t = 3_500.0)]
	radius_m: f64,
	/// Simulated local time of the first delivery slot, hours (each slot stands for 15 minutes).
	#[arg(long, default_value_t = 11.0)]
	start_hour: f64,
	/// Seed of the simulation (layout, radio noise, profiles, prices).
	#[arg(long, default_value_t = 42)]
	seed: u64,
	/// Exit non-zero if the chain's earnings and the agent's accounting disagree (or a cheater's report was accepted, or a settlement differs from the agent's arithmetic).
	#[arg(long)]
	check: bool,
	/// Blocks to wait for the last coverage reward epoch to end before claiming.
	#[arg(long, default_value_t = 45)]
	claim_wait_blocks: u64,
	/// No progress bars (log lines only).
	#[arg(long)]
	quiet: bool,
	/// Seconds to wait for the node's RPC.
	#[arg(long, default_value_t = 60)]
	connect_timeout: u64,
}

/// What else the agent does.
#[derive(clap::Subcommand, Debug)]
enum Command {
	/// Simulate a city offline, with cheaters that pass every deterministic check, and write
	/// labelled fraud-feature rows (CSV) computed with the chain's own code.
	Dataset(dataset::DatasetArgs),
}

fn parse_point(s: &str) -> Result<(f64, f64), String> {
	let (a, b) = s.split_once(',').ok_or("expected lat,lng")?;
	Ok((
		a.trim().parse().map_err(|e| format!("{e}"))?,
		b.trim().parse().map_err(|e| format!("{e}"))?,
	))
}

/// Porto: where spoofers claim to be (about 275 km from Lisbon).
const SPOOF_CENTER: (f64, f64) = (41.1579, -8.6291);

/// Adds to the keystore whatever the requested fleet lacks.
fn provision(
	ks: &mut Keystore,
	args: &Args,
	owners: &[Owner],
	grid: Option<Account>,
	rng: &mut ChaCha8Rng,
) {
	let names: Vec<&str> = owners.iter().map(|o| o.name.as_str()).collect();
	let meter_owners: Vec<&str> =
		owners.iter().filter(|o| Some(o.id) != grid).map(|o| o.name.as_str()).collect();
	let meter_owners = if meter_owners.is_empty() { names.clone() } else { meter_owners };
	const GAINS: [i16; 6] = [30, 40, 50, 58, 60, 80];

	let honest = ks.with_role(Role::Hotspot).count();
	if honest < args.hotspots {
		let existing: Vec<(f64, f64)> = ks
			.devices
			.iter()
			.filter(|d| d.role != Role::Spoofer)
			.filter_map(|d| d.site)
			.collect();
		let sites = radio::layout(
			&existing,
			args.hotspots - honest,
			args.center,
			args.radius_m,
			600.0,
			rng,
		);
		for (i, site) in sites.into_iter().enumerate() {
			let gain = GAINS[rng.gen_range(0..GAINS.len())];
			let d = ks.create(Role::Hotspot, names[(honest + i) % names.len()]);
			d.site = Some(site);
			d.gain_dbi_x10 = gain;
		}
	}
	let cheaters = ks.with_role(Role::Spoofer).count() + ks.with_role(Role::Copycat).count();
	for i in cheaters..args.cheaters {
		let owner = names[i % names.len()];
		let gain = GAINS[rng.gen_range(0..GAINS.len())];
		if i % 2 == 0 {
			let (n, e) = (rng.gen_range(-2_000.0..2_000.0), rng.gen_range(-2_000.0..2_000.0));
			let d = ks.create(Role::Spoofer, owner);
			d.site = Some(radio::offset(SPOOF_CENTER.0, SPOOF_CENTER.1, n, e));
			d.gain_dbi_x10 = gain;
		} else {
			let existing: Vec<(f64, f64)> = ks
				.devices
				.iter()
				.filter(|d| d.role != Role::Spoofer)
				.filter_map(|d| d.site)
				.collect();
			let site = radio::layout(&existing, 1, args.center, args.radius_m, 400.0, rng)[0];
			let d = ks.create(Role::Copycat, owner);
			d.site = Some(site);
			d.gain_dbi_x10 = gain;
		}
	}
	let meters = ks.with_role(Role::Prosumer).count() + ks.with_role(Role::Consumer).count();
	for i in meters..args.meters {
		let owner = meter_owners[i % meter_owners.len()];
		if i % 2 == 0 {
			let (pv, base) = (
				rng.gen_range(3_000.0..8_000.0f64).round(),
				rng.gen_range(300.0..700.0f64).round(),
			);
			let d = ks.create(Role::Prosumer, owner);
			d.pv_peak_w = pv;
			d.base_load_w = base;
		} else {
			let base = rng.gen_range(1_500.0..5_000.0f64).round();
			let d = ks.create(Role::Consumer, owner);
			d.base_load_w = base;
		}
	}
}

#[tokio::main]
async fn main() {
	let args = Args::parse();
	if let Some(Command::Dataset(dataset)) = &args.command {
		if let Err(e) = dataset::run(dataset) {
			eprintln!("assay-agent dataset: {e:#}");
			std::process::exit(2);
		}
		return;
	}
	match run(args).await {
		Ok(true) => {},
		Ok(false) => std::process::exit(1),
		Err(e) => {
			eprintln!("assay-agent: {e:#}");
			std::process::exit(2);
		},
	}
}

async fn run(args: Args) -> Result<bool> {
	let started = Instant::now();
	let ui = Ui::new(args.quiet);
	let chain = Chain::connect(&args.url, Duration::from_secs(args.connect_timeout)).await?;
	chain.spawn_follower();
	let start_block = chain.head();
	let head_spinner = ui.spinner("chain");
	{
		let (chain, pb) = (chain.clone(), head_spinner.clone());
		tokio::spawn(async move {
			loop {
				pb.set_message(format!("best block #{}", chain.head()));
				chain.next_block().await;
			}
		});
	}
	ui.log(format!(
		"connected to {} at #{start_block} (genesis 0x{}…)",
		args.url,
		hex::encode(&chain.genesis[..6])
	));

	// Owners, the fleet, the keystore.
	let mut owners: Vec<Owner> =
		args.owners.iter().map(|n| Owner::dev(n.trim())).collect::<Result<_>>()?;
	if owners.is_empty() {
		bail!("no owners");
	}
	let zone: Option<energy::Zone> =
		chain.storage_map("EnergyMarket", "Zones", devices::ZONE).await?;
	let grid = zone.as_ref().map(|z| z.grid_account.0);
	let mut ks = Keystore::load(&args.keystore)?;
	let known = ks.devices.len();
	let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
	provision(&mut ks, &args, &owners, grid, &mut rng);
	ks.save(&args.keystore)?;
	ui.log(format!(
		"keystore {}: {} devices ({} new)",
		args.keystore.display(),
		ks.devices.len(),
		ks.devices.len() - known
	));
	// The fleet this run uses: the first N of each kind.
	let mut fleet: Vec<Arc<Device>> = Vec::new();
	let take = |roles: &[Role], n: usize| -> Vec<keystore::DeviceEntry> {
		ks.devices.iter().filter(|d| roles.contains(&d.role)).take(n).cloned().collect()
	};
	for entry in take(&[Role::Hotspot], args.hotspots)
		.into_iter()
		.chain(take(&[Role::Spoofer, Role::Copycat], args.cheaters))
		.chain(take(&[Role::Prosumer, Role::Consumer], args.meters))
	{
		if !owners.iter().any(|o| o.name == entry.owner) {
			owners.push(Owner::dev(&entry.owner)?);
		}
		let owner = owners.iter().find(|o| o.name == entry.owner).unwrap().id;
		fleet.push(Arc::new(Device::new(entry, owner)?));
	}

	// Onboarding.
	let pb = ui.bar("onboarding", fleet.len() as u64);
	let onboarded = devices::onboard(&chain, &owners, &fleet, |n| pb.inc(n)).await?;
	pb.finish_with_message(format!(
		"{} registered, {} located, {} meters bound, {} already on chain",
		onboarded.registered, onboarded.located, onboarded.bound, onboarded.already
	));
	ui.log(format!(
		"onboarded {} devices for {}: {} registered, {} located, {} meters bound",
		fleet.len(),
		owners.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", "),
		onboarded.registered,
		onboarded.located,
		onboarded.bound
	));

	// Coverage (rounds, then claims), energy and compute side by side.
	let hotspots: Vec<Arc<Device>> =
		fleet.iter().filter(|d| d.role().is_hotspot()).cloned().collect();
	let meters: Vec<Arc<Device>> =
		fleet.iter().filter(|d| !d.role().is_hotspot()).cloned().collect();
	let cov = coverage::Coverage {
		chain: chain.clone(),
		ui: ui.clone(),
		hotspots,
		relay: owners[0].clone(),
		relay_refused: Default::default(),
		rounds: args.rounds,
		seed: args.seed,
	};
	let en = energy::Energy {
		chain: chain.clone(),
		ui: ui.clone(),
		meters,
		owners: owners.clone(),
		settler: owners[0].clone(),
		slots: args.slots,
		start_hour: args.start_hour,
		seed: args.seed,
	};
	let cm = compute::Compute {
		chain: chain.clone(),
		ui: ui.clone(),
		owners: owners.clone(),
		jobs: args.jobs,
		fee: args.job_fee_milli * (UNIT / 1_000),
		seed: args.seed,
		timeout_blocks: 40,
	};
	let mut failures: Vec<String> = Vec::new();
	let (cov_report, en_report, cm_report) = tokio::join!(
		async {
			let mut r = coverage::CoverageReport::default();
			let mut err = None;
			if args.rounds > 0 {
				if let Err(e) = cov.run(&mut r).await {
					err = Some(format!("coverage: {e:#}"));
				}
			}
			if let Err(e) = cov.claim_all(&owners, args.claim_wait_blocks, &mut r).await {
				err = Some(format!("coverage claims: {e:#}"));
			}
			(r, err)
		},
		async {
			let mut r = energy::EnergyReport::default();
			let err = en.run(&mut r).await.err().map(|e| format!("energy: {e:#}"));
			(r, err)
		},
		async {
			let mut r = compute::ComputeReport::default();
			let err = cm.run(&mut r).await.err().map(|e| format!("compute: {e:#}"));
			(r, err)
		},
	);
	let (cov_report, en_report, cm_report) = {
		for err in [&cov_report.1, &en_report.1, &cm_report.1].into_iter().flatten() {
			ui.log(err.clone());
			failures.push(err.clone());
		}
		(cov_report.0, en_report.0, cm_report.0)
	};

	// Earnings on chain, from the block the agent connected at to the last block it followed.
	let end_block = chain.catch_up().await;
	head_spinner.finish_with_message(format!("followed #{start_block}–#{end_block}"));
	let accounted = summary::accounted(
		&cov_report.claims,
		&en_report.positions,
		&cm_report.paid,
		energy::MICRO,
	);
	let mut accounts: Vec<(String, Account)> =
		owners.iter().map(|o| (o.name.clone(), o.id)).collect();
	for (worker, _) in &cm_report.paid {
		if !accounts.iter().any(|(_, a)| a == worker) {
			let name = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
				.iter()
				.find(|n| Owner::dev(n).map(|o| o.id == *worker).unwrap_or(false))
				.map(|n| format!("{n} (provider)"))
				.unwrap_or_else(|| format!("{} (provider)", chain::short(worker)));
			accounts.push((name, *worker));
		}
	}
	let mut rows = Vec::new();
	for (name, account) in accounts {
		let before: Earnings = chain
			.call_at(start_block, "EarningsApi", "earnings", (AccountId32(account),))
			.await?;
		let after: Earnings = chain
			.call_at(end_block, "EarningsApi", "earnings", (AccountId32(account),))
			.await?;
		rows.push(Row {
			name,
			chain: after.since(&before),
			agent: accounted.get(&account).copied().unwrap_or_default(),
		});
	}

	// The report.
	println!();
	println!(
		"assay-agent: blocks #{start_block}–#{end_block}, {:.0} s",
		started.elapsed().as_secs_f64()
	);
	println!(
		"  devices: {} hotspots, {} cheaters, {} meters ({} registered now)",
		fleet.iter().filter(|d| d.role() == Role::Hotspot).count(),
		fleet
			.iter()
			.filter(|d| matches!(d.role(), Role::Spoofer | Role::Copycat))
			.count(),
		fleet.iter().filter(|d| !d.role().is_hotspot()).count(),
		onboarded.registered
	);
	println!(
        "  coverage: {} rounds, {} beacons ({} verified), {} witness reports sent ({} refused by the pool), {} valid, {} selected",
        cov_report.rounds, cov_report.beacons, cov_report.verified, cov_report.reports_sent, cov_report.reports_refused, cov_report.valid, cov_report.selected
    );
	println!("    honest verdicts:  {}", verdicts(&cov_report.honest));
	if args.cheaters > 0 {
		println!("    cheater verdicts: {}", verdicts(&cov_report.cheaters));
	}
	let claimed: BTreeMap<u32, u128> =
		cov_report.claims.iter().fold(BTreeMap::new(), |mut m, c| {
			*m.entry(c.1).or_default() += c.2;
			m
		});
	println!(
		"    claims: {}",
		if claimed.is_empty() {
			"none".to_string()
		} else {
			claimed
				.iter()
				.map(|(e, a)| format!("epoch {e}: {} ASY", summary::asy(*a as i128)))
				.collect::<Vec<_>>()
				.join(", ")
		}
	);
	println!(
		"  energy: {} meters, {} orders, {} readings ({} refused)",
		en_report.meters, en_report.orders, en_report.readings, en_report.readings_refused
	);
	for s in &en_report.slots {
		println!(
			"    slot {}: {} Wh at {} µASY/kWh, {} of the fleet's meters filled, {}",
			s.slot,
			s.volume,
			s.price,
			s.participants,
			if s.settled { "settled" } else { "not settled" }
		);
	}
	println!(
        "    {} positions settled ({} µASY of debt recorded); {} differ from the agent's own arithmetic",
        en_report.positions.len(),
        en_report.debts,
        en_report.mismatches.len()
    );
	for m in &en_report.mismatches {
		println!("      {m}");
	}
	if args.jobs > 0 {
		println!(
            "  compute: {} jobs submitted, {} completed, {} failed, {} without outcome; {} ASY paid to providers",
            cm_report.submitted.len(),
            cm_report.completed,
            cm_report.failed.len(),
            cm_report.unfinished,
            summary::asy(cm_report.paid.iter().map(|p| p.1).sum::<u128>() as i128)
        );
	}
	println!();
	print!("{}", summary::render(&rows));

	// The check.
	let mut problems = summary::disagreements(&rows);
	problems.extend(en_report.mismatches.iter().cloned());
	let accepted_cheats: u32 = cov_report
		.cheaters
		.iter()
		.filter(|(k, _)| *k == "Valid" || *k == "Selected")
		.map(|(_, n)| n)
		.sum();
	if accepted_cheats > 0 {
		problems.push(format!("{accepted_cheats} cheater reports were accepted"));
	}
	problems.extend(failures);
	if problems.is_empty() {
		println!("\ncheck: the chain's earnings and the agent's accounting agree for every account and source");
		Ok(true)
	} else {
		println!("\ncheck: {} problem(s):", problems.len());
		for p in &problems {
			println!("  - {p}");
		}
		Ok(!args.check)
	}
}

fn verdicts(m: &BTreeMap<String, u32>) -> String {
	if m.is_empty() {
		return "none".to_string();
	}
	m.iter().map(|(k, n)| format!("{k} ×{n}")).collect::<Vec<_>>().join(", ")
}
