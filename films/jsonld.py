"""schema.org descriptions of pages, read by search engines from a JSON-LD data block."""

from .pictures import SHARE_WIDTH
from .templatetags.moviedb import iso_duration


def _person(person, absolute):
    return {"@type": "Person", "name": person.name, "url": absolute(person.get_absolute_url())}


def movie(film, *, genres, directors, cast, review, absolute):
    """A schema.org Movie for film, from the film page's rows: genres ({name}), directors and
    cast (headline credits: {name, person_url, character}) and review (its fields, or None);
    absolute turns a path into a full URL."""
    data = {
        "@context": "https://schema.org",
        "@type": "Movie",
        "name": film.title,
        "url": absolute(film.get_absolute_url()),
    }
    if film.imdb_url:
        data["sameAs"] = [film.imdb_url]
    if film.poster:
        data["image"] = _image(film.poster, absolute)
    if film.logline:
        data["description"] = film.logline
    if film.release_date:
        data["datePublished"] = film.release_date.isoformat()
    elif film.year:
        data["datePublished"] = str(film.year)
    if duration := iso_duration(film.runtime_minutes):
        data["duration"] = duration
    if genres:
        data["genre"] = [genre["name"] for genre in genres]
    if directors:
        data["director"] = [_credited(credit, absolute) for credit in directors]
    if cast:
        data["actor"] = [
            {
                "@type": "PerformanceRole",
                "actor": _credited(credit, absolute),
                **({"characterName": credit["character"]} if credit["character"] else {}),
            }
            for credit in cast
        ]
    if film.rating is not None and film.vote_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": float(film.rating),
            "bestRating": 10,
            "worstRating": 1,
            "ratingCount": film.vote_count,
        }
    if review is not None:
        data["review"] = _review(review)
    return data


def _credited(credit, absolute):
    return {"@type": "Person", "name": credit["name"], "url": absolute(credit["person_url"])}


# The fields of a review its data reads, from a row of the film page or a Review.
REVIEW_FIELDS = ("body", "title", "author", "published", "score", "scale")


def _review(review):
    """A Review's data from review's REVIEW_FIELDS, as a dict."""
    data = {"@type": "Review", "reviewBody": review["body"]}
    if review["title"]:
        data["name"] = review["title"]
    if review["author"]:
        data["author"] = {"@type": "Person", "name": review["author"]}
    if review["published"]:
        data["datePublished"] = review["published"].isoformat()
    if review["score"] is not None:
        data["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": float(review["score"]),
            "bestRating": review["scale"],
            "worstRating": 0,
        }
    return data


def item(item, film, *, name, absolute):
    """schema.org data for an item's own page: a Quotation for a quote, a Review for a
    review, a CreativeWork about the film for trivia, goofs and making-of stories."""
    about = {"@type": "Movie", "name": film.title, "url": absolute(film.get_absolute_url())}
    url = absolute(item.get_absolute_url())
    if item.noun == "review":
        return {
            "@context": "https://schema.org",
            **_review({field: getattr(item, field) for field in REVIEW_FIELDS}),
            "url": url,
            "itemReviewed": about,
        }
    quote = item.kind == "quote"
    data = {
        "@context": "https://schema.org",
        "@type": "Quotation" if quote else "CreativeWork",
        "name": name,
        "text": item.text,
        "url": url,
    }
    if quote:
        data["isPartOf"] = about  # words said in the film
        if item.character:
            data["spokenByCharacter"] = {"@type": "Person", "name": item.character}
    else:
        data["about"] = about
    if item.contributor:
        data["author"] = {"@type": "Person", "name": item.contributor}
    return data


def person(person, *, known_for, absolute):
    """A schema.org Person for a person's page, with the films they are known for."""
    data = {"@context": "https://schema.org", **_person(person, absolute)}
    if person.imdb_url:
        data["sameAs"] = [person.imdb_url]
    if person.photo:
        data["image"] = _image(person.photo, absolute)
    if person.birth_year:
        data["birthDate"] = str(person.birth_year)
    if person.death_year:
        data["deathDate"] = str(person.death_year)
    if professions := person.profession_names:
        data["jobTitle"] = professions
    if known_for:
        data["subjectOf"] = [
            {"@type": "Movie", "name": film.title, "url": absolute(film.get_absolute_url())}
            for film in known_for
        ]
    return data


def place(location, *, absolute):
    """A schema.org Place for a filming location's page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": location.name,
        "url": absolute(location.get_absolute_url()),
    }
    if location.photo:
        data["image"] = _image(location.photo, absolute)
    return data


def _image(picture, absolute):
    """A schema.org ImageObject, with the picture's credit and licence when known."""
    rendition = picture.fallback(SHARE_WIDTH)
    data = {
        "@type": "ImageObject",
        "contentUrl": absolute(picture.url(SHARE_WIDTH)),
        "width": rendition.width,
        "height": rendition.height,
    }
    if picture.credit:
        data["creditText"] = picture.credit
    if picture.licence:
        data["license"] = picture.licence
    return data
