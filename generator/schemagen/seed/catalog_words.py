"""The vocabulary of a seeded product catalog: categories, their nouns and
descriptors, qualifiers (colors, scents, sizes), brands and tags.

A real multi-store catalog has a long-tailed vocabulary: a few words
("Black", "T-Shirt", "Organic") recur everywhere, most words are rare, and
most titles are combinations nobody else uses. So the lists are long, each is
ordered from common to rare, and :mod:`.catalog` draws from them with a
Zipf-like skew. Words hold only letters, digits, spaces and hyphens, so a
handle is the title in lower case with hyphens for spaces (as Shopify makes it).
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split("|") if w.strip())


#: Qualifier pools: what follows or precedes the noun in a category's titles.
QUALIFIERS = {
    "color": _words(
        "Black|White|Navy|Grey|Charcoal|Beige|Olive|Blue|Red|Green|Brown|Cream|Pink|"
        "Burgundy|Sand|Forest Green|Sky Blue|Heather Grey|Khaki|Ivory|Rust|Mustard|Teal|"
        "Lavender|Coral|Camel|Stone|Slate|Indigo|Sage|Terracotta|Oatmeal|Plum|Mint|Ochre|"
        "Cobalt|Maroon|Taupe|Chocolate|Mauve|Pewter|Lilac|Emerald|Dusty Rose|Graphite|"
        "Moss|Butter Yellow|Peach|Seafoam|Midnight|Cinnamon|Fog|Denim Blue|Clay|Wine|"
        "Ash|Pine|Sunflower|Tangerine|Petrol|Bone|Ecru|Caramel|Smoke|Blush|Jade"
    ),
    "scent": _words(
        "Lavender|Vanilla|Sandalwood|Eucalyptus|Cedarwood|Rose|Citrus|Sea Salt|Fig|"
        "Bergamot|Jasmine|Amber|Peppermint|Coconut|Lemongrass|Oud|Neroli|Black Pepper|"
        "Tobacco Leaf|Pear|Vetiver|Patchouli|Grapefruit|Tea Tree|Orange Blossom|Cassis|"
        "Rosemary|Cardamom|Honeysuckle|Juniper|Sage and Lime|Wild Mint|Tomato Leaf"
    ),
    "flavor": _words(
        "Original|Dark Roast|Sea Salt|Vanilla|Chili Lime|Honey|Cinnamon|Hazelnut|"
        "Matcha|Chai|Espresso|Caramel|Maple|Ginger|Smoked Paprika|Lemon|Raspberry|"
        "Peanut Butter|Mango|Coconut|Earl Grey|Jasmine|Cacao|Blueberry|Pistachio|"
        "Sour Cherry|Turmeric|Black Garlic|Yuzu|Lavender Honey"
    ),
    "size": _words(
        "8 oz|12 oz|16 oz|32 oz|250 ml|500 ml|1 L|Set of 2|Set of 4|Set of 6|Small|"
        "Large|Mini|Travel Size|Family Size|2-Pack|3-Pack|6-Pack|12-Pack|XL|10 inch|"
        "12 inch|4 lb|100 Count|50 Count|Twin|Queen|King"
    ),
    "finish": _words(
        "Gold|Silver|Rose Gold|Sterling Silver|Brass|Matte Black|Brushed Steel|Copper|"
        "Walnut|Oak|Chrome|Bronze|Pearl|Onyx|Turquoise|Jade|Opal|Ruby|Sapphire|Emerald"
    ),
}

_APPAREL = _words(
    "Organic Cotton|Merino|Relaxed Fit|Slim Fit|Classic|Heavyweight|Lightweight|Vintage|"
    "Oversized|Cropped|Recycled|Linen|Waffle Knit|Ribbed|Cashmere|Fleece|Quilted|Brushed|"
    "Washed|Essential|Everyday|Waterproof|Stretch|Garment Dyed|Striped|Boxy|Tailored|"
    "Performance|Thermal|Ultralight|Cable Knit|Corduroy|Denim|Twill|Jersey|Selvedge|"
    "Heritage|Packable|Insulated|Breathable|Seamless|High Rise|Wide Leg|Pleated|Boucle"
)
_HOME = _words(
    "Handmade|Ceramic|Stoneware|Cast Iron|Stainless Steel|Bamboo|Acacia|Glass|Linen|"
    "Cotton|Wool|Minimalist|Rustic|Nordic|Hand Thrown|Enamel|Copper|Marble|Woven|Rattan|"
    "Recycled Glass|Speckled|Reversible|Nonstick|Insulated|Stackable|Textured|Jute|"
    "Terracotta|Oak|Walnut|Velvet|Embroidered|Hand Painted|Matte|Glazed|Vintage"
)
_BEAUTY = _words(
    "Organic|Vegan|Hydrating|Soothing|Gentle|Nourishing|Brightening|Clarifying|Daily|"
    "Overnight|Fragrance Free|Whipped|Cold Pressed|Botanical|Restorative|Calming|Firming|"
    "Exfoliating|Balancing|Repairing|Natural|Shea|Charcoal|Clay|Aloe|Rosehip|Argan|"
    "Hyaluronic|Vitamin C|Retinol|Ceramide|Niacinamide|Peptide"
)
_FOOD = _words(
    "Organic|Single Origin|Small Batch|Raw|Roasted|Wildflower|Artisan|Gluten Free|Vegan|"
    "Fair Trade|Cold Brew|Whole Bean|Ground|Loose Leaf|Smoked|Spicy|Sweet|Crunchy|"
    "Dark|Toasted|Stone Ground|Sprouted|Keto|Sugar Free|Wood Fired|Hand Picked"
)
_GEAR = _words(
    "Ultralight|Waterproof|Insulated|Packable|Rugged|Compact|Adjustable|Foldable|"
    "Heavy Duty|Reflective|Wireless|Magnetic|Rechargeable|Portable|Ergonomic|Shockproof|"
    "Quick Dry|Windproof|Trail|Alpine|Expedition|Everyday Carry|Tactical|Solar|Smart"
)
_KIDS = _words(
    "Wooden|Organic Cotton|Plush|Soft|Educational|Montessori|Stacking|Musical|Rainbow|"
    "Handmade|Felt|Magnetic|Classic|Mini|Giant|Glow in the Dark|Washable|Eco"
)
_JEWELRY = _words(
    "Dainty|Minimalist|Chunky|Hammered|Twisted|Vintage|Handmade|Layered|Beaded|"
    "Engraved|Personalized|Stackable|Delicate|Statement|Textured|Braided|Geometric"
)

#: One category a line (continued on indented lines): product type / descriptors /
#: qualifier pool ("-": none) / nouns, most common first. Categories are ordered
#: from the most common to the rarest.
_CATEGORY_TEXT = """
T-Shirts / apparel / color / T-Shirt|Tee|Tank Top|Long Sleeve Tee|Henley|Polo|Pocket
    Tee|Crew Neck Tee|V-Neck Tee|Baseball Tee|Muscle Tee|Graphic Tee
Sweatshirts / apparel / color / Hoodie|Sweatshirt|Zip Hoodie|Crewneck|Quarter
    Zip|Pullover|Half Zip|Fleece Jacket
Knitwear / apparel / color / Sweater|Cardigan|Beanie|Scarf|Turtleneck|Vest|Jumper|Knit
    Polo|Gloves|Mittens|Balaclava
Bottoms / apparel / color / Jeans|Chinos|Shorts|Joggers|Trousers|Leggings|Skirt|Cargo
    Pants|Sweatpants|Culottes|Overalls|Board Shorts
Outerwear / apparel / color / Jacket|Coat|Parka|Rain Jacket|Bomber Jacket|Puffer
    Jacket|Overshirt|Trench Coat|Windbreaker|Shacket|Gilet|Anorak|Peacoat
Dresses / apparel / color / Dress|Midi Dress|Maxi Dress|Shirt Dress|Slip Dress|Wrap
    Dress|Jumpsuit|Romper|Sundress|Kaftan
Shirts / apparel / color / Shirt|Oxford Shirt|Flannel Shirt|Overshirt|Linen
    Shirt|Blouse|Camp Collar Shirt|Chambray Shirt|Work Shirt
Footwear / apparel / color / Sneakers|Boots|Sandals|Loafers|Slippers|Chelsea Boots|Running
    Shoes|Hiking Boots|Espadrilles|Clogs|Mules|Slides
Bags / home / color / Backpack|Tote Bag|Wallet|Crossbody Bag|Duffel Bag|Belt Bag|Laptop
    Sleeve|Card Holder|Weekender|Messenger Bag|Pouch|Sling Bag
Accessories / apparel / color / Cap|Belt|Socks|Sunglasses|Bucket Hat|Watch
    Strap|Keychain|Hair Clip|Bandana|Umbrella|Tie|Bow Tie
Kitchen / home / size / Mug|Skillet|Cutting Board|Chef Knife|Water Bottle|Travel
    Mug|Tumbler|Dutch Oven|Saucepan|Mixing Bowl|Colander|French Press|Pour Over Set|Spice
    Jar|Apron|Tea Towel|Salad Bowl|Serving Platter
Home Decor / home / color / Vase|Planter|Wall Art Print|Mirror|Throw Pillow|Table
    Lamp|Picture Frame|Candle Holder|Wall Clock|Bookends|Tray|Basket|Doormat|Wall Hanging
Bedding / home / size / Duvet Cover|Sheet Set|Pillowcase|Throw Blanket|Quilt|Weighted
    Blanket|Comforter|Bath Towel|Bath Mat|Robe
Candles / home / scent / Candle|Soy Candle|Reed Diffuser|Room Spray|Wax Melts|Incense|Pillar
    Candle|Travel Candle|Essential Oil
Skincare / beauty / scent / Face Serum|Moisturizer|Cleanser|Face Oil|Eye Cream|Toner|Face
    Mask|Sunscreen|Lip Balm|Night Cream|Exfoliant
Bath and Body / beauty / scent / Soap Bar|Body Wash|Hand Cream|Body Lotion|Bath Salts|Body
    Scrub|Shampoo|Conditioner|Deodorant|Hand Wash|Bath Bomb|Body Oil
Coffee and Tea / food / flavor / Coffee|Espresso Beans|Green Tea|Black Tea|Herbal Tea|Cold
    Brew Bags|Matcha Powder|Chai Blend|Coffee Pods|Drip Bags
Snacks / food / flavor / Granola|Chocolate Bar|Trail Mix|Jerky|Popcorn|Crackers|Honey|Hot
    Sauce|Nut Butter|Dried Mango|Olive Oil|Jam|Spice Blend|Sea Salt Flakes
Pet Supplies / gear / color / Dog Collar|Dog Leash|Cat Toy|Dog Bed|Pet Bowl|Dog
    Treats|Harness|Cat Scratcher|Poop Bags|Dog Sweater|Chew Toy
Outdoor / gear / color / Tent|Sleeping Bag|Camping Chair|Headlamp|Hammock|Trekking Poles|Dry
    Bag|Cooler|Camp Stove|Water Filter|Daypack|Lantern
Fitness / gear / color / Yoga Mat|Resistance Bands|Kettlebell|Dumbbell Set|Jump Rope|Foam
    Roller|Gym Bag|Shaker Bottle|Ab Wheel|Pull Up Bar
Tech Accessories / gear / color / Phone Case|Charging Cable|Wireless Charger|Laptop
    Stand|Earbuds Case|Power Bank|USB-C Hub|Desk Mat|Screen Protector|Tablet Sleeve|Cable
    Organizer
Stationery / home / color / Notebook|Journal|Planner|Sketchbook|Pen Set|Greeting
    Card|Sticker Pack|Washi Tape|Desk Organizer|Bookmark|Fountain Pen|Notepad
Jewelry / jewelry / finish / Necklace|Ring|Earrings|Bracelet|Hoop
    Earrings|Pendant|Anklet|Stud Earrings|Signet Ring|Chain|Charm|Cuff
Toys / kids / - / Building Blocks|Puzzle|Plush Toy|Stacking Rings|Play Kitchen|Board
    Game|Teether|Rattle|Push Car|Doll|Art Set|Shape Sorter
"""

#: What ends a title after a comma: audience, fit, pack size, capacity, model.
_DETAILS = {
    "apparel": _words(
        "Men|Women|Unisex|Kids|Regular Fit|Relaxed Fit|Short Sleeve|Long Sleeve|Size XS-XXL|"
        "Petite|Tall|Plus Size|Organic|Made in Portugal|Made in USA|Pack of 2|Pack of 3|"
        "Limited Edition|Spring Collection|Autumn Collection|Fair Trade|Machine Washable"
    ),
    "home": _words(
        "Set of 2|Set of 4|Dishwasher Safe|Handmade in Portugal|Made in Italy|12 x 18 in|"
        "16 x 16 in|Large|Small|Oven Safe|Gift Boxed|Food Safe|Hand Wash Only|100 Percent Linen|"
        "Fair Trade|Limited Edition|Made in Japan|Microwave Safe"
    ),
    "beauty": _words(
        "30 ml|50 ml|100 ml|250 ml|Travel Size|Refill|Fragrance Free|For Dry Skin|"
        "For Oily Skin|For All Skin Types|Cruelty Free|Dermatologist Tested|SPF 30|SPF 50|"
        "Value Size|Gift Set"
    ),
    "food": _words(
        "250 g|500 g|1 kg|12 oz Bag|Pack of 3|Pack of 6|Gift Box|Tin|Refill Pouch|"
        "Whole Bean|Ground|Single Serve|Family Size|Case of 12|Limited Harvest"
    ),
    "gear": _words(
        "2 Person|4 Person|20L|30L|Model 2|Gen 3|2024 Edition|Black Edition|Kit|"
        "Waterproof to 10m|USB-C|Lifetime Warranty|Small|Medium|Large|XL|For Dogs|For Cats"
    ),
    "kids": _words(
        "Ages 0-2|Ages 3 and Up|Ages 6 and Up|Set of 12|Gift Set|Travel Size|"
        "Non Toxic|Made in Germany|Limited Edition"
    ),
    "jewelry": _words(
        "14k Gold Filled|18k Gold Plated|925 Sterling Silver|Adjustable|16 inch|18 inch|"
        "Size 6|Size 7|Size 8|Gift Boxed|Hypoallergenic|Handmade"
    ),
}

_DESCRIPTOR_POOLS = {
    "apparel": _APPAREL, "home": _HOME, "beauty": _BEAUTY, "food": _FOOD,
    "gear": _GEAR, "kids": _KIDS, "jewelry": _JEWELRY,
}


@dataclass(frozen=True)
class Category:
    """One kind of product: its type, nouns, descriptors, qualifier pool and details."""

    kind: str
    nouns: tuple[str, ...]
    descriptors: tuple[str, ...]
    qualifier: str  # a key of QUALIFIERS, or "" for none
    details: tuple[str, ...]


def _categories(text: str) -> tuple[Category, ...]:
    result = []
    for line in text.replace("\n    ", " ").strip().splitlines():
        kind, group, pool, nouns = (part.strip() for part in line.split(" / "))
        descriptors, details = _DESCRIPTOR_POOLS[group], _DETAILS[group]
        result.append(Category(kind, _words(nouns), descriptors, pool.strip("-"), details))
    return tuple(result)


CATEGORIES = _categories(_CATEGORY_TEXT)

#: Brand names are a syllable and an ending: a few big brands, a long tail.
BRAND_STARTS = _words(
    "Nor|Ash|Bel|Cal|Dun|Ever|Fen|Gale|Har|Iver|Kel|Lum|Mar|Nova|Oak|Pine|Quin|Rid|Sol|"
    "Tor|Ul|Vel|Wil|Yar|Zen|Alder|Bram|Cove|Drift|Elm|Fair|Glen|Holt|Isle|Juno|Kin|Lark|"
    "Moor|Nest|Orla|Pike|Rook|Sable|Tarn|Vale|Wren|Aster|Birch|Cinder|Dove"
)
BRAND_ENDS = _words(
    "vik|wood|field|ford|stone|line|ly|co|works|haus|mark|ton|well|ridge|den|lane|crest|"
    "bury|wick|mont|vale|shore|brook|more|land|gate|hill|moss|way|ward"
)

TAGS = _words(
    "new|bestseller|sale|gift|summer|winter|eco|handmade|limited edition|organic|vegan|"
    "unisex|kids|women|men|spring|autumn|holiday|clearance|bundle|restocked|local|"
    "sustainable|plastic free|made in usa|made in portugal|fair trade|small batch|"
    "back in stock|staff pick|online only|pre-order|preorder|wholesale|gift ideas|"
    "under 25|under 50|premium|travel|outdoor|home|office|pets|self care|black friday"
)

#: Sentences of a product description (``body_html``), after the product's name.
BLURBS = _words(
    "is made to last and gets better with every use|is made in small batches by our team|"
    "is designed for everyday use|ships in plastic-free packaging|is our customers' favorite|"
    "comes with a one-year warranty|is easy to care for|is back by popular demand|"
    "is made from responsibly sourced materials|makes a thoughtful gift|"
    "is available while stocks last|pairs well with the rest of the collection|"
    "has been tested by our team for months|is crafted by independent makers|"
    "fits true to size|is part of our core range"
)

#: Points of a description's list (``<li>``), as stores write them.
FEATURES = _words(
    "Free shipping on orders over 50 dollars|Free returns within 30 days|"
    "Ships within 2 business days|Designed in our studio and made by a family-run workshop|"
    "Machine wash cold, tumble dry low|Wipe clean with a damp cloth|Hand wash only|"
    "Made from 100 percent recycled materials|Packed in recyclable, plastic-free packaging|"
    "Every order plants a tree|Backed by our lifetime guarantee|Sized for a relaxed fit|"
    "Sourced from certified organic farms|Tested for harmful substances|"
    "Each piece is unique and may vary slightly|Store in a cool, dry place|"
    "Gift wrapping available at checkout|Questions? Our team answers within a day"
)
