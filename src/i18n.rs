//! The page's words, French first, English second. `Lang` comes from the customer's switch
//! (kept in their session), else from `Accept-Language`, else French.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first of French or English in an `Accept-Language` header, by the client's order
    /// (weights aside: browsers list languages by preference).
    pub fn from_accept_language(header: &str) -> Self {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| match tag.get(..2) {
                Some("fr") => Some(Lang::Fr),
                Some("en") => Some(Lang::En),
                _ => None,
            })
            .unwrap_or_default()
    }

    pub fn other(self) -> Self {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    pub fn t(self) -> &'static Texts {
        match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }
}

pub struct Texts {
    pub page_title: &'static str,
    pub switch_to: &'static str,
    pub test_mode: &'static str,
    pub reference: &'static str,
    pub transaction: &'static str,
    pub expires_in: &'static str,
    pub minutes: &'static str,
    pub country: &'static str,
    pub change_country: &'static str,
    pub choose_method: &'static str,
    pub pay_with: &'static str,
    pub your_number: &'static str,
    pub number_example: &'static str,
    pub pay: &'static str,
    pub cancel: &'static str,
    pub scan_intro: &'static str,
    pub open_app: &'static str,
    pub qr_label: &'static str,
    pub otp_title: &'static str,
    pub otp_steps: &'static str,
    pub otp_label: &'static str,
    pub pay_with_app: &'static str,
    pub confirm_title: &'static str,
    pub confirm_body: &'static str,
    pub no_prompt_title: &'static str,
    pub no_prompt_body: &'static str,
    pub dial_fallback: &'static str,
    /// Where the PIN prompt comes only once the customer dials a code (pawaPay's `MANUAL`).
    pub dial_to: &'static str,
    pub dial_to_confirm: &'static str,
    pub dial_awaits: &'static str,
    pub dial_pin: &'static str,
    pub updates_by_itself: &'static str,
    pub other_method: &'static str,
    pub succeeded_title: &'static str,
    pub succeeded_body: &'static str,
    pub back_to_merchant: &'static str,
    pub failed_title: &'static str,
    pub failed_body: &'static str,
    pub cancelled_title: &'static str,
    pub cancelled_body: &'static str,
    pub expired_title: &'static str,
    pub expired_body: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable_body: &'static str,
    pub no_method: &'static str,
    pub method: &'static str,
    pub amount: &'static str,
    pub merchant: &'static str,
    pub card_method: &'static str,
    pub card_number: &'static str,
    pub card_brands: &'static str,
    pub card_invalid: &'static str,
    pub card_expiry: &'static str,
    pub card_cvc: &'static str,
    pub card_cvc_hint: &'static str,
    pub card_holder: &'static str,
    pub card_kept: &'static str,
    pub card_test_hint: &'static str,
    pub card_only: &'static str,
    pub authenticate_title: &'static str,
    pub authenticate_body: &'static str,
    pub authenticate_go: &'static str,
    pub card_processing: &'static str,
}

pub const FR: Texts = Texts {
    page_title: "Paiement",
    switch_to: "English",
    test_mode: "Mode test : aucun argent réel",
    reference: "Référence",
    transaction: "Transaction",
    expires_in: "Expire dans",
    minutes: "min",
    country: "Pays",
    change_country: "Changer de pays",
    choose_method: "Choisissez votre moyen de paiement",
    pay_with: "Payer avec",
    your_number: "Votre numéro",
    number_example: "Exemple :",
    pay: "Payer",
    cancel: "Annuler le paiement",
    scan_intro: "Scannez ce QR code avec l'application, ou ouvrez-la directement sur ce téléphone.",
    open_app: "Ouvrir",
    qr_label: "QR code de paiement",
    otp_title: "Payer avec un code",
    otp_steps: "Composez ce code sur votre téléphone pour recevoir un code de paiement, puis saisissez-le ici :",
    otp_label: "Code de paiement (6 chiffres)",
    pay_with_app: "Payer avec l'application",
    confirm_title: "Confirmez le paiement sur votre téléphone",
    confirm_body: "Une demande de paiement a été envoyée au",
    no_prompt_title: "Rien reçu ?",
    no_prompt_body: "Vérifiez que votre téléphone est allumé et capte le réseau. La demande expire au bout de quelques minutes ; vous pourrez alors réessayer ou choisir un autre moyen.",
    dial_fallback: "Si la demande n'arrive pas, composez",
    dial_to: "Composez",
    dial_to_confirm: "pour confirmer",
    dial_awaits: "Le paiement vous attend sur le téléphone du",
    dial_pin: "Entrez votre code PIN pour autoriser le paiement.",
    updates_by_itself: "Cette page se met à jour toute seule.",
    other_method: "Choisir un autre moyen de paiement",
    succeeded_title: "Paiement réussi",
    succeeded_body: "Merci ! Votre paiement a bien été reçu.",
    back_to_merchant: "Retourner sur le site du marchand",
    failed_title: "Le paiement a échoué",
    failed_body: "Aucun montant n'a été débité. Revenez chez le marchand pour recommencer.",
    cancelled_title: "Paiement annulé",
    cancelled_body: "Vous avez annulé ce paiement. Aucun montant n'a été débité.",
    expired_title: "Ce lien de paiement a expiré",
    expired_body: "Le délai de paiement est dépassé. Aucun montant n'a été débité. Revenez chez le marchand pour recommencer.",
    not_found_title: "Lien de paiement introuvable",
    not_found_body: "Ce lien n'existe pas ou n'est plus valide. Revenez sur le site du marchand.",
    unavailable_title: "Service momentanément indisponible",
    unavailable_body: "Réessayez dans un instant.",
    no_method: "Aucun moyen de paiement n'est disponible pour ce montant dans ce pays.",
    method: "Moyen de paiement",
    amount: "Montant",
    merchant: "Marchand",
    card_method: "Carte bancaire",
    card_number: "Numéro de carte",
    card_brands: "Visa, Mastercard ou GIM-UEMOA",
    card_invalid: "Numéro de carte invalide : vérifiez les chiffres saisis",
    card_expiry: "Expiration (MM/AA)",
    card_cvc: "Code de sécurité",
    card_cvc_hint: "3 chiffres au dos",
    card_holder: "Nom du titulaire",
    card_kept: "Dalal ne conserve pas votre numéro de carte : seulement sa marque et ses 4 derniers chiffres.",
    card_test_hint: "Cartes de test : 4242 4242 4242 4242 (acceptée), 4000 0000 0000 0002 (refusée), 4000 0000 0000 3220 (3-D Secure, code 123456).",
    card_only: "Carte acceptée :",
    authenticate_title: "Confirmez le paiement auprès de votre banque",
    authenticate_body: "Votre banque demande une vérification (3-D Secure) pour la carte",
    authenticate_go: "Continuer vers ma banque",
    card_processing: "Votre banque traite le paiement",
};

pub const EN: Texts = Texts {
    page_title: "Payment",
    switch_to: "Français",
    test_mode: "Test mode: no real money",
    reference: "Reference",
    transaction: "Transaction",
    expires_in: "Expires in",
    minutes: "min",
    country: "Country",
    change_country: "Change country",
    choose_method: "Choose how to pay",
    pay_with: "Pay with",
    your_number: "Your number",
    number_example: "Example:",
    pay: "Pay",
    cancel: "Cancel payment",
    scan_intro: "Scan this QR code with the app, or open the app directly on this phone.",
    open_app: "Open",
    qr_label: "Payment QR code",
    otp_title: "Pay with a code",
    otp_steps: "Dial this code on your phone to get a payment code, then type it here:",
    otp_label: "Payment code (6 digits)",
    pay_with_app: "Pay with the app",
    confirm_title: "Confirm the payment on your phone",
    confirm_body: "A payment request was sent to",
    no_prompt_title: "Nothing received?",
    no_prompt_body: "Check that your phone is on and has network. The request expires after a few minutes; you can then try again or choose another method.",
    dial_fallback: "If the request does not arrive, dial",
    dial_to: "Dial",
    dial_to_confirm: "to confirm",
    dial_awaits: "The payment awaits you on the phone of",
    dial_pin: "Enter your PIN to authorise the payment.",
    updates_by_itself: "This page updates by itself.",
    other_method: "Choose another payment method",
    succeeded_title: "Payment successful",
    succeeded_body: "Thank you! Your payment was received.",
    back_to_merchant: "Back to the merchant's site",
    failed_title: "The payment failed",
    failed_body: "Nothing was charged. Go back to the merchant to start again.",
    cancelled_title: "Payment cancelled",
    cancelled_body: "You cancelled this payment. Nothing was charged.",
    expired_title: "This payment link has expired",
    expired_body: "The time to pay has run out. Nothing was charged. Go back to the merchant to start again.",
    not_found_title: "Payment link not found",
    not_found_body: "This link does not exist or is no longer valid. Go back to the merchant's site.",
    unavailable_title: "Service temporarily unavailable",
    unavailable_body: "Please try again in a moment.",
    no_method: "No payment method is available for this amount in this country.",
    method: "Payment method",
    amount: "Amount",
    merchant: "Merchant",
    card_method: "Bank card",
    card_number: "Card number",
    card_brands: "Visa, Mastercard or GIM-UEMOA",
    card_invalid: "Invalid card number: check the digits",
    card_expiry: "Expiry (MM/YY)",
    card_cvc: "Security code",
    card_cvc_hint: "3 digits on the back",
    card_holder: "Cardholder name",
    card_kept: "Dalal does not keep your card number: only its brand and last 4 digits.",
    card_test_hint: "Test cards: 4242 4242 4242 4242 (approved), 4000 0000 0000 0002 (declined), 4000 0000 0000 3220 (3-D Secure, code 123456).",
    card_only: "Card accepted:",
    authenticate_title: "Confirm the payment with your bank",
    authenticate_body: "Your bank asks for a check (3-D Secure) for the card",
    authenticate_go: "Continue to my bank",
    card_processing: "Your bank is processing the payment",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_known_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,fr;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr-SN,fr;q=0.9"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("wo,en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("de"), Lang::Fr);
        assert_eq!(Lang::from_accept_language(""), Lang::Fr);
    }
}
