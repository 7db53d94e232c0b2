"""Pydantic field types that check an identity (`ledger.core.identities`) on input."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from ledger.core.identities import (
    check_account_number,
    check_bic,
    check_company_id,
    check_email,
    check_iban,
    check_vat_id,
)

Iban = Annotated[str, AfterValidator(check_iban)]
"""A pydantic field type: an IBAN, its check digits verified, stored compact."""
Bic = Annotated[str, AfterValidator(check_bic)]
"""A pydantic field type: a BIC, checked and stored compact."""
AccountNumber = Annotated[str, AfterValidator(check_account_number)]
"""A pydantic field type: a Czech account number, checked and stored compact."""
CompanyId = Annotated[str, AfterValidator(check_company_id)]
"""A pydantic field type: an IČO, checked and stored compact."""
VatId = Annotated[str, AfterValidator(check_vat_id)]
"""A pydantic field type: an EU VAT id, checked and stored compact."""
Email = Annotated[str, AfterValidator(check_email)]
"""A pydantic field type: an e-mail address, checked."""
