//! The sign-in screen.

use super::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let en = english();
    let notice = Resource::new(|| (), |_| dashboard_notice());
    view! {
        <Title text={tr(en, "Connexion — Tableau de bord Dalal", "Sign in — Dalal dashboard")}/>
        <main class="page dashboard sign-in">
            <h1>{tr(en, "Tableau de bord", "Dashboard")}</h1>
            <p>{tr(en, "Connectez-vous pour voir vos paiements.", "Sign in to see your payments.")}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    notice.await.ok().flatten().map(|n| view! { <p class="notice error" role="alert">{n}</p> })
                })}
            </Suspense>
            <form method="post" action=DashboardSignIn::url() class="sign-in-form">
                <label for="email">{tr(en, "Adresse e-mail", "E-mail address")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">{tr(en, "Mot de passe", "Password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit" class="button primary">{tr(en, "Se connecter", "Sign in")}</button>
            </form>
        </main>
    }
}
