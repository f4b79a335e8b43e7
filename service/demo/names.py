"""Names as a real roster has them: every script and shape the certificates must print."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NameStyle:
    given: tuple[str, ...]
    family: tuple[str, ...]
    family_first: bool = False
    separator: str = " "

    def name(self, index: int) -> str:
        given = self.given[index % len(self.given)]
        family = self.family[(index // len(self.given) + index) % len(self.family)]
        parts = (family, given) if self.family_first else (given, family)
        return self.separator.join(parts)


STYLES = (
    NameStyle(
        ("Emily", "Michael", "Aisha", "Jamal", "Mary-Kate", "Jean-Luc"),
        ("O'Connor", "Smith-Jones", "D'Angelo", "MacAllister", "Washington", "O'Brien"),
    ),
    NameStyle(
        ("José", "Ángela", "Sebastián", "María José", "Nicolás"),
        ("Núñez", "García Márquez", "Hernández", "Peña", "Ibáñez"),
    ),
    NameStyle(
        ("François", "Amélie", "Renée", "Zoë", "Anaïs"),
        ("Dubois", "Lefèvre", "Girard-Bélanger", "Côté", "Nöel"),
    ),
    NameStyle(
        ("Søren", "Øystein", "Björn", "Åsa", "Jürgen"),
        ("Müller", "Øvregård", "Åkesson", "Großmann", "Sørensen"),
    ),
    NameStyle(
        ("Łukasz", "Małgorzata", "Jiří", "Zdeněk", "Ştefan"),
        ("Łęcka", "Żółkiewski", "Wójcik", "Dvořáková", "Ţurcanu"),
    ),
    NameStyle(("Çağla", "İlkay", "Şükrü"), ("Şahin", "Öztürk", "Yıldız")),
    NameStyle(("Siobhán", "Aoife", "Seán"), ("Ó Súilleabháin", "Ní Bhriain", "Mac Giolla Phádraig")),
    NameStyle(
        ("Thị Minh Khai", "Văn Thắng", "Ngọc Ánh", "Đức Huy"),
        ("Nguyễn", "Trần", "Phạm", "Lê", "Đặng"),
        family_first=True,
    ),
    NameStyle(
        ("Γιώργος", "Ελένη", "Δημήτρης", "Αικατερίνη"),
        ("Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Καραγιάννη"),
    ),
    NameStyle(("Анна", "Дмитрий", "Олена", "Сергей"), ("Кузнецова", "Шевченко", "Иванов", "Петренко")),
    NameStyle(("小明", "静", "伟", "秀英"), ("王", "李", "张", "陈"), family_first=True, separator=""),
    NameStyle(("花子", "翔太", "美咲"), ("佐藤", "鈴木", "高橋"), family_first=True, separator=" "),
    NameStyle(("민준", "서연", "지호"), ("김", "이", "박"), family_first=True, separator=""),
    NameStyle(
        ("Maria Fernanda de los Ángeles", "Alexandra Victoria Elizabeth", "Jean-Baptiste Emmanuel"),
        ("Villanueva-Castellanos de la Fuente", "Montgomery-Featherstonehaugh", "Fitzgerald-Wolstenholme"),
    ),
)


def roster_name(index: int) -> str:
    """The index-th demo name; consecutive indices walk through every style."""
    style = STYLES[index % len(STYLES)]
    return style.name(index // len(STYLES))
