"""Currencies: which codes an amount may carry, and how an amount reads on a page.

A gross is stored as a whole amount with its ISO 4217 code. Old films earned theirs in
currencies that no longer exist (Deutsche Mark, French francs, lire), so the codes ISO has
withdrawn count as much as the current ones: ISO 4217's list one (current) and list three
(historic denominations) are both below. They change a few times a decade; a constant is
easier to read and to correct than a dependency.

Amounts in different currencies are never added or compared: anything that orders or sums
grosses does so within one currency (the admin orders by currency, then amount).
"""


def _codes(text):
    return frozenset(text.split())


CURRENT = _codes(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP
    DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR
    IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD
    MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS
    VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA
    XXX YER ZAR ZMW ZWG ZWL
    """
)
HISTORIC = _codes(
    """
    ADP AFA ALK AOK AON AOR ARA ARP ARY ATS AYM AZM BAD BEC BEF BEL BGJ BGK BGL BOP BRB BRC
    BRE BRN BRR BUK BYB BYR CHC CSD CSJ CSK CYP DDM DEM ECS ECV EEK ESA ESB ESP FIM FRF GEK
    GHC GHP GNE GNS GQE GRD GWE GWP HRD HRK ILP ILR ISJ ITL LAJ LSM LTL LTT LUC LUF LUL LVL
    LVR MGF MLF MRO MTL MTP MVQ MXP MZE MZM NIC NLG PEH PEI PES PLZ PTE RHD ROK ROL RUR SDD
    SDP SIT SKK SRG STD SUR TJR TMM TPE TRL UAK UGS UGW USS UYN UYP VEB VEF VNC XEU XFO XFU
    XRE YDD YUD YUM YUN ZAL ZMK ZRN ZRZ ZWC ZWD ZWN ZWR
    """
)
CODES = CURRENT | HISTORIC

# Symbols a page may write instead of a code. "$" alone is the US dollar on the sites the
# pages come from; other dollars are written with their code (CAD, AUD).
SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
# How a page shows amounts in these: "$42,400,000"; every other currency by its code,
# "DEM 3,250,000", which no reader can mistake.
_SHOWN_AS_SYMBOL = {"USD": "$", "GBP": "£", "EUR": "€"}


def is_currency(code: str) -> bool:
    """Whether code is an ISO 4217 currency code, current or withdrawn: "DEM" is, "XYZ" not."""
    return code in CODES


def format_amount(amount: int, currency: str) -> str:
    """A whole amount in its currency: (42400000, "USD") → "$42,400,000", (3250000, "DEM")
    → "DEM 3,250,000"."""
    if currency in _SHOWN_AS_SYMBOL:
        return f"{_SHOWN_AS_SYMBOL[currency]}{amount:,}"
    return f"{currency} {amount:,}".strip()
