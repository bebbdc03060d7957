//! The local keystore: every simulated device's secret seed, kind, owner, role and site, in
//! one JSON file, reused on the next run (same keys, same places). Seeds come from the OS's
//! randomness; sites from the run's seeded RNG when a device is first created.

use assay_wire::DeviceKind;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use subxt_signer::sr25519::Keypair;

/// What a device is for in the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
	/// A hotspot that beacons and witnesses honestly.
	Hotspot,
	/// A hotspot asserted far away (another city) that claims to hear the fleet's beacons.
	Spoofer,
	/// A hotspot that hears nothing and copies other witnesses' commitments.
	Copycat,
	/// An energy meter of a household with solar panels (sells its surplus).
	Prosumer,
	/// An energy meter of a household without generation (buys).
	Consumer,
}

impl Role {
	/// The on-chain `DeviceKind`.
	pub fn kind(self) -> DeviceKind {
		match self {
			Role::Hotspot | Role::Spoofer | Role::Copycat => DeviceKind::Hotspot,
			Role::Prosumer | Role::Consumer => DeviceKind::EnergyMeter,
		}
	}
	pub fn is_hotspot(self) -> bool {
		self.kind() == DeviceKind::Hotspot
	}
}

/// One device.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeviceEntry {
	pub name: String,
	pub role: Role,
	/// The dev account that owns it (`Bob`, `Charlie`, …).
	pub owner: String,
	/// 32-byte sr25519 mini-secret, hex.
	pub seed: String,
	/// Where it is (hotspots): latitude, longitude.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub site: Option<(f64, f64)>,
	/// Antenna gain, tenths of dBi (hotspots).
	#[serde(default)]
	pub gain_dbi_x10: i16,
	/// Solar peak power, W (prosumers); household base load, W (meters).
	#[serde(default)]
	pub pv_peak_w: f64,
	#[serde(default)]
	pub base_load_w: f64,
}

impl DeviceEntry {
	pub fn keypair(&self) -> Result<Keypair> {
		let bytes =
			hex::decode(self.seed.trim_start_matches("0x")).context("keystore seed is not hex")?;
		let seed: [u8; 32] =
			bytes.try_into().map_err(|_| anyhow::anyhow!("keystore seed is not 32 bytes"))?;
		Ok(Keypair::from_secret_key(seed)?)
	}
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Keystore {
	pub version: u32,
	pub devices: Vec<DeviceEntry>,
}

impl Keystore {
	/// Loads `path`, or an empty keystore if it does not exist.
	pub fn load(path: &Path) -> Result<Keystore> {
		if !path.exists() {
			return Ok(Keystore { version: 1, devices: Vec::new() });
		}
		let text =
			std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
		serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
	}

	/// Writes the keystore (owner-only permissions where the platform has them).
	pub fn save(&self, path: &Path) -> Result<()> {
		if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
			std::fs::create_dir_all(dir)?;
		}
		let tmp = path.with_extension("json.tmp");
		std::fs::write(&tmp, serde_json::to_string_pretty(self)?)?;
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
		}
		std::fs::rename(&tmp, path)?;
		Ok(())
	}

	/// The devices with `role`, in keystore order.
	pub fn with_role(&self, role: Role) -> impl Iterator<Item = &DeviceEntry> {
		self.devices.iter().filter(move |d| d.role == role)
	}

	/// Adds a device with a fresh random seed.
	pub fn create(&mut self, role: Role, owner: &str) -> &mut DeviceEntry {
		let seed: [u8; 32] = rand::random();
		let n = self.with_role(role).count();
		let prefix = match role {
			Role::Hotspot => "hotspot",
			Role::Spoofer => "spoofer",
			Role::Copycat => "copycat",
			Role::Prosumer => "prosumer",
			Role::Consumer => "consumer",
		};
		self.devices.push(DeviceEntry {
			name: format!("{prefix}-{n:02}"),
			role,
			owner: owner.to_string(),
			seed: format!("0x{}", hex::encode(seed)),
			site: None,
			gain_dbi_x10: 0,
			pv_peak_w: 0.0,
			base_load_w: 0.0,
		});
		self.devices.last_mut().unwrap()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn round_trips_and_keeps_keys() {
		let dir = std::env::temp_dir().join(format!("assay-agent-ks-{}", std::process::id()));
		let path = dir.join("ks.json");
		let mut ks = Keystore { version: 1, devices: Vec::new() };
		ks.create(Role::Hotspot, "Bob").site = Some((38.7, -9.1));
		ks.create(Role::Prosumer, "Dave").pv_peak_w = 5_000.0;
		ks.save(&path).unwrap();
		let again = Keystore::load(&path).unwrap();
		assert_eq!(again.devices.len(), 2);
		assert_eq!(again.devices[0].name, "hotspot-00");
		assert_eq!(again.devices[1].role, Role::Prosumer);
		assert_eq!(
			again.devices[0].keypair().unwrap().public_key().0,
			ks.devices[0].keypair().unwrap().public_key().0
		);
		std::fs::remove_dir_all(dir).unwrap();
	}
}
