//! Smart routing (SahelPay's "gateway_used" / "routing_reason"): a method can be served by
//! several gateways, each with its own fee and health. Dalal takes the cheapest healthy gateway
//! for the amount and fails over to the next one when a gateway is down.

use crate::domain::money::group_thousands;
use crate::domain::{Country, Money, ProviderCode};

/// A way to reach a provider, with what it costs the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gateway {
    pub id: &'static str,
    pub provider: ProviderCode,
    /// Countries it serves; empty means all of the provider's.
    pub countries: &'static [Country],
    /// Fee in basis points of the amount (150 = 1.5 %).
    pub fee_bp: i64,
    /// Fixed fee per payment, in the currency's minor unit.
    pub fee_fixed: i64,
}

impl Gateway {
    pub fn serves(&self, country: Country) -> bool {
        self.provider.serves(country)
            && (self.countries.is_empty() || self.countries.contains(&country))
    }

    /// What this gateway charges for `amount` (rounded up to the unit).
    pub fn cost(&self, amount: Money) -> i64 {
        (amount.minor() * self.fee_bp + 9_999) / 10_000 + self.fee_fixed
    }
}

use Country::*;

/// The gateways Dalal knows. A provider's own API ("direct") and an aggregator ("hub") with a
/// lower percentage but a fixed fee: the hub is cheaper for large amounts.
pub const GATEWAYS: [Gateway; 7] = [
    Gateway {
        id: "wave_direct",
        provider: ProviderCode::Wave,
        countries: &[],
        fee_bp: 100,
        fee_fixed: 0,
    },
    Gateway {
        id: "orange_direct",
        provider: ProviderCode::OrangeMoney,
        countries: &[],
        fee_bp: 150,
        fee_fixed: 0,
    },
    Gateway {
        id: "orange_hub",
        provider: ProviderCode::OrangeMoney,
        countries: &[Sn, Ci, Ml, Bf],
        fee_bp: 100,
        fee_fixed: 75,
    },
    Gateway {
        id: "free_direct",
        provider: ProviderCode::FreeMoney,
        countries: &[],
        fee_bp: 150,
        fee_fixed: 0,
    },
    Gateway {
        id: "mtn_direct",
        provider: ProviderCode::MtnMomo,
        countries: &[],
        fee_bp: 180,
        fee_fixed: 0,
    },
    Gateway {
        id: "moov_direct",
        provider: ProviderCode::MoovMoney,
        countries: &[],
        fee_bp: 200,
        fee_fixed: 0,
    },
    Gateway {
        id: "moov_hub",
        provider: ProviderCode::MoovMoney,
        countries: &[Ci, Bj, Tg, Bf, Ml],
        fee_bp: 150,
        fee_fixed: 50,
    },
];

pub fn gateway(id: &str) -> Option<&'static Gateway> {
    GATEWAYS.iter().find(|g| g.id == id)
}

/// The gateways that can take this payment, cheapest first (ties: the catalogue's order).
pub fn candidates(
    provider: ProviderCode,
    country: Country,
    amount: Money,
) -> Vec<&'static Gateway> {
    let mut found: Vec<&Gateway> = GATEWAYS
        .iter()
        .filter(|g| g.provider == provider && g.serves(country))
        .collect();
    found.sort_by_key(|g| g.cost(amount));
    found
}

/// Why a gateway was used, in French, for `routing_reason`.
pub fn reason(
    chosen: &Gateway,
    amount: Money,
    candidates: usize,
    skipped: &[&str],
    failed: &[&str],
) -> String {
    let cost = format!(
        "{} {}",
        group_thousands(chosen.cost(amount), ' '),
        amount.currency()
    );
    if !failed.is_empty() {
        return format!(
            "Basculement : {} indisponible, {} utilisé (frais {cost})",
            failed.join(", "),
            chosen.id
        );
    }
    if !skipped.is_empty() {
        return format!(
            "{} écarté après des échecs récents ; {} utilisé (frais {cost})",
            skipped.join(", "),
            chosen.id
        );
    }
    if candidates == 1 {
        return format!("Seul gateway disponible pour ce moyen de paiement (frais {cost})");
    }
    format!("Gateway le moins cher pour ce montant (frais {cost})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn xof(n: i64) -> Money {
        Money::new(n, Currency::Xof).unwrap()
    }

    #[test]
    fn the_cheapest_gateway_depends_on_the_amount() {
        let small = candidates(ProviderCode::OrangeMoney, Country::Sn, xof(5_000));
        assert_eq!(
            small.iter().map(|g| g.id).collect::<Vec<_>>(),
            ["orange_direct", "orange_hub"]
        );
        assert_eq!(small[0].cost(xof(5_000)), 75);
        let large = candidates(ProviderCode::OrangeMoney, Country::Sn, xof(50_000));
        assert_eq!(large[0].id, "orange_hub");
        assert_eq!(large[0].cost(xof(50_000)), 575);
        // The hub does not serve Cameroon.
        assert_eq!(
            candidates(
                ProviderCode::OrangeMoney,
                Country::Cm,
                crate::domain::Money::new(50_000, Currency::Xaf).unwrap()
            )
            .len(),
            1
        );
        assert!(
            GATEWAYS
                .iter()
                .all(|g| !candidates(g.provider, g.provider.countries()[0], xof(1000)).is_empty())
        );
    }

    #[test]
    fn reasons_say_why_in_french() {
        let g = gateway("orange_hub").unwrap();
        assert!(reason(g, xof(50_000), 2, &[], &[]).starts_with("Gateway le moins cher"));
        assert!(reason(g, xof(50_000), 1, &[], &[]).starts_with("Seul gateway"));
        assert!(
            reason(g, xof(50_000), 2, &[], &["orange_direct"])
                .starts_with("Basculement : orange_direct indisponible")
        );
        assert!(reason(g, xof(50_000), 2, &["orange_direct"], &[]).contains("écarté"));
    }
}
