//! The countries Dalal serves, by ISO 3166-1 alpha-2 code.

use super::{Currency, InvalidInput};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Country {
    Sn,
    Ci,
    Ml,
    Bf,
    Bj,
    Tg,
    Ne,
    Gn,
    Cm,
}

impl Country {
    pub const ALL: [Country; 9] = [
        Country::Sn,
        Country::Ci,
        Country::Ml,
        Country::Bf,
        Country::Bj,
        Country::Tg,
        Country::Ne,
        Country::Gn,
        Country::Cm,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Country::Sn => "SN",
            Country::Ci => "CI",
            Country::Ml => "ML",
            Country::Bf => "BF",
            Country::Bj => "BJ",
            Country::Tg => "TG",
            Country::Ne => "NE",
            Country::Gn => "GN",
            Country::Cm => "CM",
        }
    }

    /// The name with its French article, as in « disponible au Sénégal ».
    pub fn in_fr(self) -> &'static str {
        match self {
            Country::Sn => "au Sénégal",
            Country::Ci => "en Côte d'Ivoire",
            Country::Ml => "au Mali",
            Country::Bf => "au Burkina Faso",
            Country::Bj => "au Bénin",
            Country::Tg => "au Togo",
            Country::Ne => "au Niger",
            Country::Gn => "en Guinée",
            Country::Cm => "au Cameroun",
        }
    }

    pub fn name_fr(self) -> &'static str {
        match self {
            Country::Sn => "Sénégal",
            Country::Ci => "Côte d'Ivoire",
            Country::Ml => "Mali",
            Country::Bf => "Burkina Faso",
            Country::Bj => "Bénin",
            Country::Tg => "Togo",
            Country::Ne => "Niger",
            Country::Gn => "Guinée",
            Country::Cm => "Cameroun",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Country::Sn => "Senegal",
            Country::Ci => "Côte d'Ivoire",
            Country::Ml => "Mali",
            Country::Bf => "Burkina Faso",
            Country::Bj => "Benin",
            Country::Tg => "Togo",
            Country::Ne => "Niger",
            Country::Gn => "Guinea",
            Country::Cm => "Cameroon",
        }
    }

    /// The currency mobile money is held in there.
    pub fn currency(self) -> Currency {
        match self {
            Country::Sn
            | Country::Ci
            | Country::Ml
            | Country::Bf
            | Country::Bj
            | Country::Tg
            | Country::Ne => Currency::Xof,
            Country::Cm => Currency::Xaf,
            Country::Gn => Currency::Gnf,
        }
    }

    /// The international calling code, without `+`.
    pub fn calling_code(self) -> &'static str {
        match self {
            Country::Sn => "221",
            Country::Ci => "225",
            Country::Ml => "223",
            Country::Bf => "226",
            Country::Bj => "229",
            Country::Tg => "228",
            Country::Ne => "227",
            Country::Gn => "224",
            Country::Cm => "237",
        }
    }

    /// An example mobile number, for error messages and placeholders.
    pub fn example_msisdn(self) -> &'static str {
        match self {
            Country::Sn => "+221771234567",
            Country::Ci => "+2250701234567",
            Country::Ml => "+22370123456",
            Country::Bf => "+22670123456",
            Country::Bj => "+2290190123456",
            Country::Tg => "+22890123456",
            Country::Ne => "+22793123456",
            Country::Gn => "+224621234567",
            Country::Cm => "+237671234567",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|c| c.code()).collect();
                InvalidInput::bilingual(
                    format!(
                        "Pays non pris en charge : « {code} ». Pays acceptés : {}",
                        all.join(", ")
                    ),
                    format!("Country not served: « {code} »"),
                )
            })
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_parse_by_upper_case_iso_code() {
        for c in Country::ALL {
            assert_eq!(Country::parse(c.code()).unwrap(), c);
        }
        assert!(Country::parse("sn").is_err());
        assert!(Country::parse("FR").unwrap_err().fr().contains("FR"));
    }

    #[test]
    fn each_country_has_its_currency() {
        assert_eq!(Country::Sn.currency(), Currency::Xof);
        assert_eq!(Country::Cm.currency(), Currency::Xaf);
        assert_eq!(Country::Gn.currency(), Currency::Gnf);
    }
}
