/* LWRAP_SSM_<NAME>, LWRAP_SECRET_<NAME>, LWRAP_APPCONFIG: values fetched from AWS's
 * extensions on the sandbox before the exec, exported as variables. */
#ifndef LWRAP_FETCH_ENV_H
#define LWRAP_FETCH_ENV_H

/* Fetches and exports; costs nothing (no system call) when no fetch setting is present. */
void fetch_apply(void);
/* Names the fetched variables in _LWRAP_REDACT_VARS, for the preload to mask their
 * values in the function's logs. */
void fetch_export_redact(void);

#endif
