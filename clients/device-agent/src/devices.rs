//! Device identity: devices sign the bytes of `assay_wire::devices` (the chain's own
//! layouts) and send reports as `assay_wire::extrinsic` general transactions (extrinsic v5,
//! no signer); onboarding: registration attested by the development maker, locations,
//! meter binding.

use assay_wire::devices::{maker_attestation, registration};
use assay_wire::extrinsic::general_transaction;
use assay_wire::DeviceKind;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use scale_decode::DecodeAsType;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

use crate::chain::{batch_all, v, Account, Call, Chain};
use crate::keystore::{DeviceEntry, Role};
use crate::radio;

/// The development maker's id and key on `dev` and `local` chains.
pub const DEV_MAKER_ID: u32 = 0;
pub const DEV_MAKER_URI: &str = "//DevMaker";
/// The energy zone of the dev preset.
pub const ZONE: u32 = 1;
/// Elevation asserted for every hotspot, metres.
pub const ELEVATION_M: i16 = 15;

/// A dev account (`//Bob` …) that owns devices.
#[derive(Clone)]
pub struct Owner {
	pub name: String,
	pub pair: Keypair,
	pub id: Account,
}

impl Owner {
	pub fn dev(name: &str) -> Result<Owner> {
		let uri = SecretUri::from_str(&format!("//{name}")).map_err(|e| anyhow!("{name}: {e}"))?;
		let pair = Keypair::from_uri(&uri).map_err(|e| anyhow!("{name}: {e}"))?;
		Ok(Owner { name: name.to_string(), id: pair.public_key().0, pair })
	}
}

/// A simulated device: its keystore entry, key and on-chain id.
pub struct Device {
	pub entry: DeviceEntry,
	pub pair: Keypair,
	pub id: Account,
	pub owner: Account,
	/// The asserted resolution-12 cell (hotspots).
	pub cell: Option<u64>,
	/// The next report nonce (`None`: read it from the chain).
	nonce: tokio::sync::Mutex<Option<u64>>,
}

impl Device {
	pub fn new(entry: DeviceEntry, owner: Account) -> Result<Device> {
		let pair = entry.keypair()?;
		let cell = entry.site.map(|(lat, lng)| radio::cell_at(lat, lng));
		Ok(Device {
			id: pair.public_key().0,
			pair,
			owner,
			cell,
			entry,
			nonce: tokio::sync::Mutex::new(None),
		})
	}

	pub fn role(&self) -> Role {
		self.entry.role
	}

	pub fn sign(&self, message: &[u8]) -> [u8; 64] {
		self.pair.sign(message).0
	}

	/// Submits a nonce report: `build(nonce)` returns the call, signed by the device over
	/// `assay_wire::devices::report(genesis, nonce, payload)`. The device's nonce is tracked here.
	pub async fn submit_report(
		&self,
		chain: &Chain,
		build: impl FnOnce(u64) -> Call,
	) -> Result<u64> {
		let mut next = self.nonce.lock().await;
		let nonce = match *next {
			Some(n) => n,
			None => {
				chain
					.call::<_, u64>(
						"DeviceRegistryApi",
						"next_report_nonce",
						(AccountId32(self.id),),
					)
					.await?
			},
		};
		let xt = general_transaction(&chain.call_data(&build(nonce))?);
		match chain.submit_raw(&xt).await {
			Ok(()) => {
				*next = Some(nonce + 1);
				Ok(nonce)
			},
			Err(e) => {
				*next = None;
				Err(e)
			},
		}
	}
}

#[derive(DecodeAsType)]
struct LocationInfo {
	cell: u64,
}

#[derive(DecodeAsType)]
struct DeviceInfo {
	owner: AccountId32,
	location: Option<LocationInfo>,
}

#[derive(DecodeAsType)]
struct MeterInfo {
	zone: u32,
}

/// What onboarding did.
#[derive(Default, Debug)]
pub struct Onboarded {
	pub registered: usize,
	pub located: usize,
	pub bound: usize,
	pub already: usize,
}

/// Registers, locates and binds whatever of `devices` the chain does not know yet, one
/// `utility.batch_all` per owner (owners in parallel). `progress` is called per device.
pub async fn onboard(
	chain: &Arc<Chain>,
	owners: &[Owner],
	devices: &[Arc<Device>],
	progress: impl Fn(u64),
) -> Result<Onboarded> {
	let maker = Keypair::from_uri(&SecretUri::from_str(DEV_MAKER_URI).unwrap())
		.map_err(|e| anyhow!("{e}"))?;
	let mut done = Onboarded::default();
	let mut per_owner: Vec<(Owner, Vec<Call>, usize)> =
		owners.iter().map(|o| (o.clone(), Vec::new(), 0)).collect();
	for device in devices {
		let info: Option<DeviceInfo> =
			chain.call("DeviceRegistryApi", "device", (AccountId32(device.id),)).await?;
		let kind = device.role().kind();
		let slot = per_owner
			.iter_mut()
			.find(|(o, _, _)| o.id == device.owner)
			.expect("device of a known owner");
		let mut fresh = false;
		match &info {
			Some(info) if info.owner.0 != device.owner => {
				return Err(anyhow!(
					"{} is registered to another owner ({}); use another keystore",
					device.entry.name,
					crate::chain::short(&info.owner.0)
				))
			},
			Some(_) => {},
			None => {
				fresh = true;
				// The consent names how many times the device was registered before (0
				// for a new one; more if it was registered and deregistered earlier).
				let registrations: u32 = chain
					.storage_map("DeviceRegistry", "Registrations", AccountId32(device.id))
					.await?
					.unwrap_or(0);
				slot.1.push(Call::new(
					"DeviceRegistry",
					"register_device",
					vec![
						("device", v::sr25519_signer(&device.id)),
						("kind", v::variant(kind.name())),
						("maker_id", v::u(DEV_MAKER_ID)),
						(
							"maker_signature",
							v::sr25519_signature(
								&maker.sign(&maker_attestation(&device.id, kind)).0,
							),
						),
						(
							"device_signature",
							v::sr25519_signature(&device.sign(&registration(
								&chain.genesis,
								&device.owner,
								kind,
								registrations,
							))),
						),
					],
				));
				done.registered += 1;
			},
		}
		let mut changed = fresh;
		if let Some(cell) = device.cell {
			let asserted = info.as_ref().and_then(|i| i.location.as_ref()).map(|l| l.cell);
			if asserted != Some(cell) {
				slot.1.push(Call::new(
					"DeviceRegistry",
					"assert_location",
					vec![
						("device", v::account(&device.id)),
						("cell", v::u(cell)),
						("gain_dbi_x10", v::i(device.entry.gain_dbi_x10)),
						("elevation_m", v::i(ELEVATION_M)),
					],
				));
				done.located += 1;
				changed = true;
			}
		}
		if kind == DeviceKind::EnergyMeter {
			let bound: Option<MeterInfo> =
				chain.storage_map("EnergyMarket", "Meters", AccountId32(device.id)).await?;
			if bound.as_ref().map(|m| m.zone) != Some(ZONE) {
				slot.1.push(Call::new(
					"EnergyMarket",
					"bind_meter",
					vec![
						("device", v::account(&device.id)),
						("zone", v::u(ZONE)),
						("capacity_wh", v::u(crate::energy::CAPACITY_WH)),
					],
				));
				done.bound += 1;
				changed = true;
			}
		}
		if changed {
			slot.2 += 1;
		} else {
			done.already += 1;
			progress(1);
		}
	}
	let sends =
		per_owner
			.into_iter()
			.filter(|(_, calls, _)| !calls.is_empty())
			.map(|(owner, calls, n)| {
				let chain = chain.clone();
				let progress = &progress;
				async move {
					// Batches of at most 32 calls keep each block's weight modest.
					for chunk in calls.chunks(32) {
						chain
							.sign_and_wait(&owner.pair, &batch_all(chunk))
							.await
							.map_err(|e| anyhow!("onboarding for {}: {e}", owner.name))?;
					}
					progress(n as u64);
					Ok::<_, anyhow::Error>(())
				}
			});
	for result in futures::future::join_all(sends).await {
		result?;
	}
	Ok(done)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_owners_have_the_well_known_keys() {
		// //Bob's public key.
		assert_eq!(
			hex::encode(Owner::dev("Bob").unwrap().id),
			"8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48"
		);
	}
}
