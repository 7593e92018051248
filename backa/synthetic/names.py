"""Common Swedish given and family names for synthetic people (facts, not people)."""
GIRLS = (
    "Alice Maja Elsa Astrid Wilma Freja Olivia Alma Ella Selma Ebba Vera Saga Agnes Clara Signe Stella Nova Alva "
    "Ellie Ines Leah Lilly Iris Edith Sara Nora Ella Emilia Lova Juni Tyra Hedda Ida Elise Liv Amira Noor Hanna "
    "Maryam Sofia Linnea Matilda Ronja Lo Elvira Tilde Majken Isabelle Felicia Moa Ellen Meja Thea Ester Lea"
).split()
BOYS = (
    "William Liam Noah Hugo Lucas Adam Oliver Matteo Elias Alexander Leo Ludvig Nils Oscar Theo Vincent Arvid Erik "
    "Harry Gustav Frans Olle Malte Sixten Edvin Isak Melvin Otto Valter Loke Charlie Wilmer Viggo Albin Axel Filip "
    "Emil Anton Jack Sam Ali Omar Yusuf Mohammed Ibrahim Alvin Elton Kevin Milo Sigge Ture Vidar Aron Josef Jonathan"
).split()
ADULTS_F = "Anna Eva Maria Karin Sara Lena Emma Kristina Elin Johanna Malin Jenny Linda Sofia Fatima Amina Helena".split()
ADULTS_M = "Johan Erik Lars Anders Karl Peter Mikael Daniel Fredrik Andreas Ahmed Mattias Jonas Marcus Hassan Per".split()
FAMILY = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson Jonsson "
    "Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Lindström Olofsson Lindqvist Lindgren Berg "
    "Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Ali "
    "Mohamed Hussein Ahmed Forsberg Sjöberg Wallin Engström Eklund Danielsson Lundin Håkansson Björk Bergman "
    "Gunnarsson Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg "
    "Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Hassan Abdi Yilmaz Nguyen Kovač Rahimi Haddad Öberg"
).split()
UNIT_WORDS = (
    "Ängen Solrosen Ekbacken Björken Lärkan Tallen Humlan Vitsippan Linden Rönnen Kastanjen Skogsgläntan Ugglan "
    "Stjärnan Näckrosen Hagen Bäcken Lönnen Sjöstjärnan Vallmon Kotten Myran Måsen Mosippan Eken Blåklockan"
).split()
