//! The closing table: what each owner (and each provider that served the fleet's jobs)
//! earned by source during the run, read from the chain (`EarningsApi::earnings`, at the
//! start and at the end), next to what the agent itself accounted from its own
//! transactions' events (coverage claims, energy settlements, compute payments).

use std::collections::BTreeMap;

use scale_decode::DecodeAsType;

use crate::chain::Account;

/// `EarningsRecord` of pallet-earnings.
#[derive(DecodeAsType, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Earnings {
	pub validation: u128,
	pub coverage: u128,
	pub compute: u128,
	pub energy: u128,
}

impl Earnings {
	pub fn since(&self, before: &Earnings) -> Earnings {
		Earnings {
			validation: self.validation.saturating_sub(before.validation),
			coverage: self.coverage.saturating_sub(before.coverage),
			compute: self.compute.saturating_sub(before.compute),
			energy: self.energy.saturating_sub(before.energy),
		}
	}
}

/// What the agent accounted for one account, plancks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounted {
	pub coverage: u128,
	pub compute: u128,
	pub energy: u128,
}

/// One line of the table.
#[derive(Clone, Debug)]
pub struct Row {
	pub name: String,
	/// On chain, earned during the run.
	pub chain: Earnings,
	pub agent: Accounted,
}

impl Row {
	pub fn agrees(&self) -> bool {
		self.chain.coverage == self.agent.coverage
			&& self.chain.compute == self.agent.compute
			&& self.chain.energy == self.agent.energy
	}
}

/// Plancks as ASY with 6 decimals (rounded toward zero).
pub fn asy(plancks: i128) -> String {
	let sign = if plancks < 0 { "-" } else { "" };
	let p = plancks.unsigned_abs();
	let micro = p / 1_000_000;
	format!("{sign}{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

/// Sums accounted amounts per account.
pub fn accounted(
	claims: &[(Account, u32, u128)],
	positions: &[(Account, Account, i128)],
	paid: &[(Account, u128)],
	micro: i128,
) -> BTreeMap<Account, Accounted> {
	let mut out: BTreeMap<Account, Accounted> = BTreeMap::new();
	for (owner, _, amount) in claims {
		out.entry(*owner).or_default().coverage += amount;
	}
	// Receivers' settlements are Energy earnings (µASY → plancks); payers earn nothing.
	for (owner, _, net) in positions {
		if *net > 0 {
			out.entry(*owner).or_default().energy += (*net * micro) as u128;
		}
	}
	for (worker, amount) in paid {
		out.entry(*worker).or_default().compute += amount;
	}
	out
}

/// The table, ASY with 6 decimals.
pub fn render(rows: &[Row]) -> String {
	let header = [
		"account",
		"validation",
		"coverage",
		"compute",
		"energy",
		"| agent:",
		"coverage",
		"compute",
		"energy",
		"",
	];
	let mut lines: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
	let mut total = (Earnings::default(), Accounted::default());
	for r in rows {
		total.0.validation += r.chain.validation;
		total.0.coverage += r.chain.coverage;
		total.0.compute += r.chain.compute;
		total.0.energy += r.chain.energy;
		total.1.coverage += r.agent.coverage;
		total.1.compute += r.agent.compute;
		total.1.energy += r.agent.energy;
		lines.push(line(&r.name, &r.chain, &r.agent, if r.agrees() { "ok" } else { "DIFFERS" }));
	}
	lines.push(line("total", &total.0, &total.1, ""));
	let widths: Vec<usize> = (0..header.len())
		.map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0))
		.collect();
	let mut out = String::new();
	out.push_str(
		"Earned during this run (ASY), on chain (EarningsApi) | as the agent accounted it\n",
	);
	for (i, l) in lines.iter().enumerate() {
		let cells: Vec<String> = l
			.iter()
			.enumerate()
			.map(|(c, s)| {
				if c == 0 || c == 5 || c == 9 {
					format!("{s:<w$}", w = widths[c])
				} else {
					format!("{s:>w$}", w = widths[c])
				}
			})
			.collect();
		out.push_str(cells.join("  ").trim_end());
		out.push('\n');
		if i == 0 || i == lines.len() - 2 {
			out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
			out.push('\n');
		}
	}
	out
}

fn line(name: &str, chain: &Earnings, agent: &Accounted, status: &str) -> Vec<String> {
	let a = |x: u128| asy(x as i128);
	vec![
		name.to_string(),
		a(chain.validation),
		a(chain.coverage),
		a(chain.compute),
		a(chain.energy),
		"|".to_string(),
		a(agent.coverage),
		a(agent.compute),
		a(agent.energy),
		status.to_string(),
	]
}

/// Every disagreement, to the planck.
pub fn disagreements(rows: &[Row]) -> Vec<String> {
	let mut out = Vec::new();
	for r in rows {
		for (source, chain, agent) in [
			("coverage", r.chain.coverage, r.agent.coverage),
			("compute", r.chain.compute, r.agent.compute),
			("energy", r.chain.energy, r.agent.energy),
		] {
			if chain != agent {
				out.push(format!("{} {source}: chain {chain}, agent {agent} plancks", r.name));
			}
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn asy_has_six_decimals() {
		assert_eq!(asy(1_000_000_000_000), "1.000000");
		assert_eq!(asy(310_000 * 1_000_000), "0.310000");
		assert_eq!(asy(-1_500_000_000_000), "-1.500000");
		assert_eq!(asy(999_999), "0.000000");
	}

	#[test]
	fn accounting_and_check() {
		let (bob, dave, alice) = ([1u8; 32], [2u8; 32], [3u8; 32]);
		let acc = accounted(
			&[(bob, 0, 500), (bob, 1, 250)],
			&[(bob, [9; 32], 310_000), (dave, [8; 32], -300_000)],
			&[(alice, 900)],
			1_000_000,
		);
		assert_eq!(acc[&bob], Accounted { coverage: 750, compute: 0, energy: 310_000_000_000 });
		assert_eq!(acc[&alice].compute, 900);
		assert!(!acc.contains_key(&dave), "payers earn nothing");
		let good = Row {
			name: "Bob".into(),
			chain: Earnings { validation: 0, coverage: 750, compute: 0, energy: 310_000_000_000 },
			agent: acc[&bob],
		};
		let bad = Row {
			name: "Alice".into(),
			chain: Earnings { compute: 901, ..Default::default() },
			agent: acc[&alice],
		};
		assert!(good.agrees());
		assert_eq!(
			disagreements(&[good.clone(), bad.clone()]),
			vec!["Alice compute: chain 901, agent 900 plancks".to_string()]
		);
		let table = render(&[good, bad]);
		assert!(table.contains("DIFFERS"));
		assert!(table.contains("0.310000"));
	}
}
