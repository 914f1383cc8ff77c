// Written by hand for both backends: the migrations under migrations/{sqlite,postgres}
// create the same columns with the same diesel types (ids are BigInt on both).

diesel::table! {
    job_centres (id) {
        id -> BigInt,
        authority_type -> Text,
        authority_number -> Text,
        name -> Text,
    }
}

diesel::table! {
    networks (id) {
        id -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    network_members (network_id, job_centre_id) {
        network_id -> BigInt,
        job_centre_id -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        email -> Text,
        job_centre_id -> BigInt,
        role -> Text,
        language -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (kind, key) {
        kind -> Text,
        key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    companies (id) {
        id -> BigInt,
        job_centre_id -> BigInt,
        name -> Text,
        cvr -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    job_orders (id) {
        id -> BigInt,
        job_centre_id -> BigInt,
        title -> Text,
        occupation -> Text,
        occupation_code -> Nullable<Text>,
        request_id -> Text,
        company_id -> BigInt,
        company_name -> Text,
        employer_email -> Nullable<Text>,
        start_date -> Date,
        end_date -> Nullable<Date>,
        vacancies -> Integer,
        referred -> Integer,
        status -> Text,
        order_type -> Text,
        responsible_consultant_id -> BigInt,
        coordinator_id -> BigInt,
        coordinator_external -> Nullable<Text>,
        coordinator_allowed -> Bool,
        task_description -> Text,
        qualifications_and_pay -> Text,
        working_hours -> Text,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sent_to_portal_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        occupation_group -> Nullable<Text>,
        no_qualifications -> Bool,
        workplace_postcode -> Nullable<Text>,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        external_id -> Nullable<Text>,
        requires_driving_licence -> Bool,
        hired -> Integer,
    }
}

diesel::table! {
    order_shares (id) {
        id -> BigInt,
        order_id -> BigInt,
        network_id -> BigInt,
        shared_by -> BigInt,
        shared_at -> Timestamp,
    }
}

diesel::table! {
    order_notifications (order_id, job_centre_id) {
        order_id -> BigInt,
        job_centre_id -> BigInt,
        notified_at -> Timestamp,
        listed -> Bool,
        start_date -> Date,
    }
}

diesel::table! {
    candidates (id) {
        id -> BigInt,
        job_centre_id -> BigInt,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        postcode -> Nullable<Text>,
        consent_given_at -> Nullable<Timestamp>,
        consent_given_by -> Nullable<BigInt>,
        consent_revoked_at -> Nullable<Timestamp>,
        share_email -> Bool,
        share_phone -> Bool,
        created_by -> BigInt,
        created_at -> Timestamp,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        updated_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        retention_warned_at -> Nullable<Timestamp>,
        external_id -> Nullable<Text>,
        driving_licence -> Bool,
        own_car -> Bool,
        certificates -> Text,
        languages -> Text,
        share_cv -> Bool,
    }
}

diesel::table! {
    candidate_cvs (candidate_id) {
        candidate_id -> BigInt,
        file_name -> Text,
        content_type -> Text,
        size -> BigInt,
        body -> Binary,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    candidate_wishes (candidate_id, occupation_code) {
        candidate_id -> BigInt,
        occupation_code -> Text,
        occupation_group -> Text,
        job_centre_id -> BigInt,
        /// The candidate's name, place, consent (given, not revoked) and licence: kept in
        /// step by triggers for the suggestions' ranking (migration 2026-12-01-000401).
        name -> Text,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        consenting -> Bool,
        driving_licence -> Bool,
    }
}

diesel::table! {
    job_agents (id) {
        id -> BigInt,
        owner_id -> BigInt,
        job_centre_id -> BigInt,
        candidate_id -> Nullable<BigInt>,
        email -> Text,
        language -> Text,
        occupation_code -> Nullable<Text>,
        occupation_group -> Nullable<Text>,
        postcode -> Nullable<Text>,
        lat -> Nullable<Double>,
        lon -> Nullable<Double>,
        radius_km -> Integer,
        keywords -> Nullable<Text>,
        frequency -> Text,
        active -> Bool,
        unsubscribe_token -> Text,
        created_at -> Timestamp,
        last_run_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> BigInt,
        order_id -> BigInt,
        candidate_id -> BigInt,
        job_centre_id -> BigInt,
        state -> Text,
        reason -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        coordinator_id -> Nullable<BigInt>,
        employer_link_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    referral_events (id) {
        id -> BigInt,
        referral_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        at -> Timestamp,
        from_state -> Nullable<Text>,
        to_state -> Text,
        reason -> Nullable<Text>,
        employer_link_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    employer_links (id) {
        id -> BigInt,
        order_id -> BigInt,
        email_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    employer_link_tokens (token_hash) {
        token_hash -> Text,
        link_id -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        job_centre_id -> Nullable<BigInt>,
        entity -> Text,
        entity_id -> BigInt,
        action -> Text,
        detail -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        created_at -> Timestamp,
        kind -> Text,
        to_addr -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        candidate_id -> Nullable<BigInt>,
        reply_to -> Nullable<Text>,
        list_unsubscribe -> Nullable<Text>,
        cv_referral_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    jobs (name) {
        name -> Text,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_run_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    import_uploads (token) {
        token -> Text,
        user_id -> BigInt,
        kind -> Text,
        file_name -> Text,
        body -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_orders (order_id) {
        order_id -> BigInt,
        status -> Text,
        portal_id -> Nullable<Text>,
        message -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    portal_transfers (id) {
        id -> BigInt,
        order_id -> BigInt,
        kind -> Text,
        idempotency_key -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    portal_protocol (id) {
        id -> BigInt,
        order_id -> BigInt,
        at -> Timestamp,
        direction -> Text,
        kind -> Text,
        status -> Text,
        message -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    export_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> BigInt,
        job_centre_id -> BigInt,
        list -> Text,
        format -> Text,
        query -> Text,
        row_count -> BigInt,
    }
}

diesel::table! {
    /// The reports' counts, kept in step by triggers (migration 2026-11-30-000301).
    referral_counts (order_centre_id, month, referring_centre_id, state) {
        order_centre_id -> BigInt,
        month -> Text,
        referring_centre_id -> BigInt,
        state -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// The reports' decision times, kept by triggers (migration 2026-12-01-000501).
    decision_times (event_id) {
        event_id -> BigInt,
        order_centre_id -> BigInt,
        month -> Text,
        seconds -> BigInt,
    }
}

diesel::table! {
    /// Each centre's live candidates with consent, kept by triggers (migration
    /// 2026-12-02-000101): the order page's referral picker counts from it.
    consenting_counts (job_centre_id) {
        job_centre_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    /// The reports' orders shared, kept by triggers (migration 2026-12-01-000502).
    share_counts (network_id, month, order_centre_id) {
        network_id -> BigInt,
        month -> Text,
        order_centre_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    network_referral_counts (network_id, month, referring_centre_id, state) {
        network_id -> BigInt,
        month -> Text,
        referring_centre_id -> BigInt,
        state -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        order_id -> Nullable<BigInt>,
        referral_id -> Nullable<BigInt>,
        params -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_suggestions (id) {
        id -> BigInt,
        order_id -> BigInt,
        candidate_id -> BigInt,
        sent_by -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(users -> job_centres (job_centre_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(network_members -> networks (network_id));
diesel::joinable!(network_members -> job_centres (job_centre_id));
diesel::joinable!(job_orders -> job_centres (job_centre_id));
diesel::joinable!(order_shares -> job_orders (order_id));
diesel::joinable!(order_shares -> networks (network_id));
diesel::joinable!(share_counts -> networks (network_id));
diesel::joinable!(order_notifications -> job_orders (order_id));
diesel::joinable!(order_notifications -> job_centres (job_centre_id));
diesel::joinable!(referrals -> job_orders (order_id));
diesel::joinable!(referrals -> candidates (candidate_id));
diesel::joinable!(referral_events -> referrals (referral_id));
diesel::joinable!(candidate_wishes -> candidates (candidate_id));
diesel::joinable!(portal_orders -> job_orders (order_id));
diesel::joinable!(portal_transfers -> job_orders (order_id));
diesel::joinable!(portal_protocol -> job_orders (order_id));
diesel::joinable!(portal_protocol -> users (user_id));
diesel::joinable!(employer_links -> job_orders (order_id));
diesel::joinable!(employer_link_tokens -> employer_links (link_id));
diesel::joinable!(notices -> users (user_id));
diesel::joinable!(candidate_cvs -> candidates (candidate_id));
diesel::joinable!(job_suggestions -> job_orders (order_id));
diesel::joinable!(job_suggestions -> candidates (candidate_id));
diesel::joinable!(job_suggestions -> users (sent_by));

diesel::allow_tables_to_appear_in_same_query!(
    job_centres,
    networks,
    network_members,
    users,
    companies,
    job_orders,
    order_shares,
    order_notifications,
    candidates,
    referrals,
    referral_events,
    audit_log,
    outbox,
    candidate_wishes,
    job_agents,
    jobs,
    sessions,
    login_failures,
    import_uploads,
    portal_orders,
    portal_transfers,
    portal_protocol,
    export_log,
    referral_counts,
    network_referral_counts,
    decision_times,
    share_counts,
    consenting_counts,
    employer_links,
    employer_link_tokens,
    notices,
    candidate_cvs,
    job_suggestions,
);
