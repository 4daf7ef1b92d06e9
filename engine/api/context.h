// What the v1 handlers need from the layers below, passed in by engine/app.
#pragma once

#include <functional>

#include "engine/auth/authenticator.h"
#include "engine/auth/device_cookie.h"
#include "engine/base/task_group.h"
#include "engine/base/time.h"
#include "engine/service/case_service.h"
#include "engine/service/event_hub.h"
#include "engine/service/offer_service.h"
#include "engine/service/stats_service.h"
#include "engine/service/todo_service.h"

namespace tillvaxt::api {

struct ApiContext {
  service::CaseService& cases;
  auth::Authenticator& auth;
  const base::Clock& clock;
  // Set the Secure attribute on the session cookie (the server runs TLS; requests that came
  // over https through a trusted proxy get it anyway).
  bool secure_cookies = false;
  // /readyz: true once the store answers and the server accepts requests.
  std::function<bool()> ready;
  // /metrics: the Prometheus text of every registered metric.
  std::function<std::string()> metrics_text;
  // /v1/offers, inboxes and suggestedOffers (nullptr: those routes are not registered).
  service::OfferService* offers = nullptr;
  // GET /v1/stream: the live event hub (nullptr: the route answers 503).
  service::EventHub* events = nullptr;
  // /v1/stats/* (nullptr: those routes are not registered).
  service::StatsService* stats = nullptr;
  // GET /v1/todo (nullptr: the route is not registered).
  service::TodoService* todo = nullptr;
  // Where long responses are produced (the CSV export); engine/app stops it after the
  // listener and before the store. Required with `stats`.
  base::TaskGroup* tasks = nullptr;
  // Signs and checks the known-device cookie of POST /v1/sessions (auth/device_cookie.h);
  // nullptr: no device cookies (a login is then a known device only by a valid session).
  const auth::DeviceCookies* devices = nullptr;
};

}  // namespace tillvaxt::api
