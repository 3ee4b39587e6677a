# Which accounts are foreign, as the cross-account trust rules decide it.
package rolecall.lib

# foreign_account: account is known not to be ours. Ours are input.known_accounts plus the
# role's own account (when set); nothing is foreign when no account is known.
foreign_account(role, account) if {
	account != ""
	not account in _known_accounts
	not role.account == account
	_any_known(role)
}

# A set built once per evaluation, not once per principal.
_known_accounts := {a | some a in input.known_accounts}

_any_known(_) if count(_known_accounts) > 0

_any_known(role) if role.account != ""
