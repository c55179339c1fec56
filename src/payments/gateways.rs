//! Smart routing (SahelPay's "gateway_used" / "routing_reason"): a method can be served by
//! several gateways, each with its own fee and health. Dalal takes the cheapest healthy gateway
//! for the amount and fails over to the next one when a gateway is down.

use crate::config::GatewaySettings;
use crate::domain::money::group_thousands;
use crate::domain::{CardBrand, Country, Money, ProviderCode, Via};

/// A way to reach a provider, with what it costs the merchant and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    pub id: String,
    pub provider: ProviderCode,
    /// Whose API it calls (its connector is the provider's own, or pawaPay's).
    pub via: Via,
    pub countries: Vec<Country>,
    pub brands: Vec<CardBrand>,
    /// Fee in basis points of the amount (150 = 1.5 %).
    pub fee_bp: i64,
    pub fee_fixed: i64,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
}

impl Gateway {
    pub fn serves(&self, country: Country) -> bool {
        self.provider.serves(country)
            && (self.countries.is_empty() || self.countries.contains(&country))
    }

    /// Whether it takes this payment: country, amount limits and, for cards, the brand.
    pub fn takes(&self, country: Country, amount: Money, brand: Option<CardBrand>) -> bool {
        self.serves(country)
            && self.min_amount.is_none_or(|min| amount.minor() >= min)
            && self.max_amount.is_none_or(|max| amount.minor() <= max)
            && (self.brands.is_empty() || brand.is_some_and(|b| self.brands.contains(&b)))
    }

    /// What this gateway charges for `amount` (rounded up to the unit).
    pub fn cost(&self, amount: Money) -> i64 {
        (amount.minor() * self.fee_bp + 9_999) / 10_000 + self.fee_fixed
    }
}

/// The configured gateways, in configuration order (which breaks ties on cost).
#[derive(Debug, Clone)]
pub struct GatewayTable {
    gateways: Vec<Gateway>,
}

impl GatewayTable {
    /// Checks the configured gateways: unique ids, sane fees and limits, every method served.
    pub fn new(settings: &[GatewaySettings]) -> anyhow::Result<Self> {
        let mut gateways: Vec<Gateway> = Vec::with_capacity(settings.len());
        for g in settings {
            let id = &g.id;
            anyhow::ensure!(
                !id.is_empty() && id.len() <= 64,
                "routing.gateways: a gateway needs an id of 1 to 64 characters"
            );
            anyhow::ensure!(
                gateways.iter().all(|other| &other.id != id),
                "routing.gateways: two gateways are called {id:?}"
            );
            anyhow::ensure!(
                (0.0..=100.0).contains(&g.fee_percent) && g.fee_fixed >= 0,
                "routing.gateways.{id}: fee_percent must be 0 to 100 and fee_fixed not negative"
            );
            anyhow::ensure!(
                g.min_amount.unwrap_or(0) <= g.max_amount.unwrap_or(i64::MAX),
                "routing.gateways.{id}: min_amount is above max_amount"
            );
            anyhow::ensure!(
                g.brands.is_empty() || g.provider == ProviderCode::Card,
                "routing.gateways.{id}: only card gateways take brands"
            );
            anyhow::ensure!(
                g.countries.iter().all(|c| g.provider.serves(*c)),
                "routing.gateways.{id}: {} does not work in one of its countries",
                g.provider.name()
            );
            anyhow::ensure!(
                g.via == Via::Direct
                    || !matches!(g.provider, ProviderCode::Wave | ProviderCode::Card),
                "routing.gateways.{id}: Dalal takes {} only through its own API",
                g.provider.name()
            );
            gateways.push(Gateway {
                id: id.clone(),
                provider: g.provider,
                via: g.via,
                countries: g.countries.clone(),
                brands: g.brands.clone(),
                fee_bp: (g.fee_percent * 100.0).round() as i64,
                fee_fixed: g.fee_fixed,
                min_amount: g.min_amount,
                max_amount: g.max_amount,
            });
        }
        if let Some(missing) = ProviderCode::ALL
            .into_iter()
            .find(|p| !gateways.iter().any(|g| g.provider == *p))
        {
            anyhow::bail!("routing.gateways: no gateway serves {}", missing.code());
        }
        Ok(Self { gateways })
    }

    /// The built-in gateways (`DEFAULT_GATEWAYS`).
    pub fn defaults() -> Self {
        let gateways: Vec<GatewaySettings> = config::Config::builder()
            .add_source(config::File::from_str(
                crate::config::DEFAULT_GATEWAYS,
                config::FileFormat::Toml,
            ))
            .build()
            .and_then(|c| c.get("routing.gateways"))
            .expect("DEFAULT_GATEWAYS is valid TOML");
        Self::new(&gateways).expect("DEFAULT_GATEWAYS are consistent")
    }

    pub fn all(&self) -> &[Gateway] {
        &self.gateways
    }

    pub fn gateway(&self, id: &str) -> Option<&Gateway> {
        self.gateways.iter().find(|g| g.id == id)
    }

    /// The first gateway of a provider (for attempts recorded before routing existed).
    pub fn first_for(&self, provider: ProviderCode) -> Option<&Gateway> {
        self.gateways.iter().find(|g| g.provider == provider)
    }

    /// The gateways that can take this payment, cheapest first (ties: configuration order).
    pub fn candidates(
        &self,
        provider: ProviderCode,
        country: Country,
        amount: Money,
        brand: Option<CardBrand>,
    ) -> Vec<&Gateway> {
        let mut found: Vec<&Gateway> = self
            .gateways
            .iter()
            .filter(|g| g.provider == provider && g.takes(country, amount, brand))
            .collect();
        found.sort_by_key(|g| g.cost(amount));
        found
    }
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

    fn ids(found: Vec<&Gateway>) -> Vec<&str> {
        found.into_iter().map(|g| g.id.as_str()).collect()
    }

    #[test]
    fn the_cheapest_gateway_depends_on_the_amount() {
        let routes = GatewayTable::defaults();
        let om = |n| routes.candidates(ProviderCode::OrangeMoney, Country::Sn, xof(n), None);
        // The table's view: costs, then configuration order (routing then keeps the gateways
        // whose flow the method has there: pawaPay's PIN prompt only where no direct gateway takes).
        assert_eq!(ids(om(5_000)), ["orange_direct", "orange_pawapay", "orange_hub"]);
        assert_eq!(om(5_000)[0].cost(xof(5_000)), 75);
        assert_eq!(om(50_000)[0].id, "orange_hub");
        assert_eq!(om(50_000)[0].cost(xof(50_000)), 575);
        // Above the hub's limit the hub is gone.
        assert_eq!(ids(om(2_000_000)), ["orange_direct", "orange_pawapay"]);
        // The hub does not serve Cameroon.
        let xaf = Money::new(50_000, Currency::Xaf).unwrap();
        assert_eq!(
            ids(routes.candidates(ProviderCode::OrangeMoney, Country::Cm, xaf, None)),
            ["orange_direct", "orange_pawapay"]
        );
        for g in routes.all() {
            let country = g
                .countries
                .first()
                .copied()
                .unwrap_or(g.provider.countries()[0]);
            let brand = g.brands.first().copied();
            assert!(g.takes(country, xof(1000), brand), "{}", g.id);
        }
    }

    #[test]
    fn card_gateways_depend_on_the_brand_and_the_country() {
        let routes = GatewayTable::defaults();
        let card = |country, brand| {
            let amount = Money::new(10_000, Country::currency(country)).unwrap();
            ids(routes.candidates(ProviderCode::Card, country, amount, Some(brand)))
        };
        assert_eq!(
            card(Country::Sn, CardBrand::GimUemoa),
            ["gim_switch", "card_acquirer"]
        );
        assert_eq!(card(Country::Sn, CardBrand::Visa), ["card_acquirer"]);
        assert_eq!(card(Country::Cm, CardBrand::GimUemoa), ["card_acquirer"]);
    }

    #[test]
    fn configured_gateways_are_checked() {
        let gateway = |id: &str, provider, fee_percent| GatewaySettings {
            id: id.to_owned(),
            provider,
            via: Via::Direct,
            countries: Vec::new(),
            brands: Vec::new(),
            fee_percent,
            fee_fixed: 0,
            min_amount: None,
            max_amount: None,
        };
        let mut all: Vec<GatewaySettings> = ProviderCode::ALL
            .into_iter()
            .map(|p| gateway(p.code(), p, 1.0))
            .collect();
        assert!(GatewayTable::new(&all).is_ok());
        all.push(gateway("wave", ProviderCode::Wave, 1.0));
        let err = GatewayTable::new(&all).unwrap_err().to_string();
        assert!(err.contains("two gateways"), "{err}");
        all.pop();
        all.push(gateway("wave_cheap", ProviderCode::Wave, 0.5));
        let routes = GatewayTable::new(&all).unwrap();
        assert_eq!(
            ids(routes.candidates(ProviderCode::Wave, Country::Sn, xof(1000), None)),
            ["wave_cheap", "wave"]
        );
        all.push(gateway("costly", ProviderCode::Wave, 150.0));
        assert!(GatewayTable::new(&all).is_err());
        all.pop();
        let mut limited = gateway("bad_limits", ProviderCode::Wave, 1.0);
        limited.min_amount = Some(10);
        limited.max_amount = Some(5);
        all.push(limited);
        assert!(GatewayTable::new(&all).is_err());
        all.pop();
        let mut cm = gateway("wave_cm", ProviderCode::Wave, 1.0);
        cm.countries = vec![Country::Cm];
        all.push(cm);
        assert!(GatewayTable::new(&all).is_err(), "Wave does not work in Cameroon");
        all.pop();
        all.retain(|g| g.provider != ProviderCode::Card);
        let err = GatewayTable::new(&all).unwrap_err().to_string();
        assert!(err.contains("no gateway serves card"), "{err}");
    }

    #[test]
    fn reasons_say_why_in_french() {
        let routes = GatewayTable::defaults();
        let g = routes.gateway("orange_hub").unwrap();
        assert!(reason(g, xof(50_000), 2, &[], &[]).starts_with("Gateway le moins cher"));
        assert!(reason(g, xof(50_000), 1, &[], &[]).starts_with("Seul gateway"));
        assert!(
            reason(g, xof(50_000), 2, &[], &["orange_direct"])
                .starts_with("Basculement : orange_direct indisponible")
        );
        assert!(reason(g, xof(50_000), 2, &["orange_direct"], &[]).contains("écarté"));
    }
}
